import threading
import time

from apps.bookings.locks import QueuedRedisLock, redis_client


def test_queued_lock_excludes_and_hands_over_on_release():
    first = QueuedRedisLock(redis_client(), "test:lock:handover")
    second = QueuedRedisLock(redis_client(), "test:lock:handover")
    assert first.acquire(ttl=5, wait=0)
    assert not second.acquire(ttl=5, wait=0.1)  # held: the waiter gives up after its wait

    waited = {}

    def wait_for_it():
        started = time.monotonic()
        waited["got"] = second.acquire(ttl=5, wait=3)
        waited["seconds"] = time.monotonic() - started

    waiter = threading.Thread(target=wait_for_it)
    waiter.start()
    time.sleep(0.2)
    assert first.release()
    waiter.join()
    assert waited["got"] and waited["seconds"] < 1
    assert second.release()


def test_release_after_expiry_does_not_free_someone_elses_lock():
    mine = QueuedRedisLock(redis_client(), "test:lock:expiry")
    theirs = QueuedRedisLock(redis_client(), "test:lock:expiry")
    assert mine.acquire(ttl=0.05, wait=0)
    time.sleep(0.1)
    assert theirs.acquire(ttl=5, wait=0)
    assert not mine.release()
    assert redis_client().get("test:lock:expiry").decode() == theirs.token
    assert theirs.release()
