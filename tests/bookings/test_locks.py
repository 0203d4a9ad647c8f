import threading
import time

import pytest

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
    assert redis_client().zscore("test:lock:expiry", theirs.token) is not None
    assert theirs.release()


def test_waiters_get_the_lock_in_the_order_they_queued():
    holder = QueuedRedisLock(redis_client(), "test:lock:fifo")
    assert holder.acquire(ttl=5, wait=0)
    order, threads = [], []

    def wait_then_record(n):
        waiter = QueuedRedisLock(redis_client(), "test:lock:fifo")
        assert waiter.acquire(ttl=5, wait=5)
        order.append(n)
        time.sleep(0.02)
        assert waiter.release()

    for n in range(4):
        thread = threading.Thread(target=wait_then_record, args=(n,))
        thread.start()
        threads.append(thread)
        time.sleep(0.1)  # each has joined the queue before the next arrives
    assert holder.release()
    for thread in threads:
        thread.join()
    assert order == [0, 1, 2, 3]
    assert not redis_client().exists("test:lock:fifo")  # the last one let it go


def test_a_waiter_takes_over_a_lock_whose_holder_vanished():
    gone = QueuedRedisLock(redis_client(), "test:lock:vanished")
    assert gone.acquire(ttl=0.3, wait=0)  # never released: its process died
    waiter = QueuedRedisLock(redis_client(), "test:lock:vanished")
    started = time.monotonic()
    assert waiter.acquire(ttl=5, wait=3)
    assert time.monotonic() - started < 1.5
    assert waiter.release()


def test_a_waiter_that_gives_up_leaves_the_queue():
    holder = QueuedRedisLock(redis_client(), "test:lock:give-up")
    assert holder.acquire(ttl=5, wait=0)
    impatient = QueuedRedisLock(redis_client(), "test:lock:give-up")
    assert not impatient.acquire(ttl=5, wait=0.1)
    assert holder.release()
    assert not redis_client().exists("test:lock:give-up")  # not handed to the leaver


def test_two_slots_admit_two_holders_and_queue_the_third():
    first, second, third = (QueuedRedisLock(redis_client(), "test:lock:slots", slots=2)
                            for _ in range(3))
    assert first.acquire(ttl=5, wait=0)
    assert second.acquire(ttl=5, wait=0)
    assert not third.acquire(ttl=5, wait=0.1)
    got = {}
    waiter = threading.Thread(target=lambda: got.update(ok=third.acquire(ttl=5, wait=3)))
    waiter.start()
    time.sleep(0.1)
    assert first.release()
    waiter.join()
    assert got["ok"]
    assert redis_client().zcard("test:lock:slots") == 2
    assert second.release() and third.release()


def test_a_place_asked_for_but_never_waited_for_is_given_back():
    from apps.bookings.locks import BlockPlace

    name = "test:lock:withdraw"
    holder = QueuedRedisLock(redis_client(), name)
    assert holder.acquire(ttl=5, wait=0)
    queued = BlockPlace(QueuedRedisLock(redis_client(), name))
    queued.ask()  # joins the queue behind the holder ...
    queued.leave()  # ... but its work failed before it waited
    assert redis_client().llen(f"{name}:queue") == 0
    assert holder.release()
    assert not redis_client().exists(name)  # nobody was handed the place

    granted = BlockPlace(QueuedRedisLock(redis_client(), name))
    granted.ask()  # a free place: taken at once
    granted.leave()
    assert not redis_client().exists(name)


def test_a_place_handed_on_early_lets_the_next_guest_in_before_the_first_is_done():
    from apps.bookings.locks import BlockPlace

    name = "test:lock:early"
    first = BlockPlace(QueuedRedisLock(redis_client(), name))
    first.ask()
    first.wait()
    second = QueuedRedisLock(redis_client(), name)
    assert not second.acquire(ttl=5, wait=0.05)
    first.hand_on()  # e.g. before its commit
    assert second.acquire(ttl=5, wait=1)
    first.leave()  # reads the hand-on's answer; frees nothing of the second's
    assert redis_client().zscore(name, second.token) is not None
    assert second.release()


def test_a_thread_keeps_one_lock_connection_and_replaces_one_redis_closed():
    from apps.bookings import locks

    first = QueuedRedisLock(redis_client(), "test:lock:line")
    assert first.acquire(ttl=5, wait=0) and first.release()
    _, kept = locks._idle.line
    second = QueuedRedisLock(redis_client(), "test:lock:line")
    assert second.acquire(ttl=5, wait=0)
    assert second._conn is kept  # the next hold reuses it: no pool round trip
    assert second.release()

    kept.send_command("CLIENT", "ID")
    redis_client().client_kill_filter(_id=kept.read_response())  # e.g. Redis restarted
    third = QueuedRedisLock(redis_client(), "test:lock:line")
    assert third.acquire(ttl=5, wait=0)  # a new connection, not "Redis unavailable"
    assert third._conn is not kept
    assert third.release()


def test_a_lock_on_another_redis_never_borrows_this_threads_connection():
    import redis

    from apps.bookings import locks

    mine = QueuedRedisLock(redis_client(), "test:lock:two-servers")
    assert mine.acquire(ttl=5, wait=0) and mine.release()
    _, kept = locks._idle.line
    elsewhere = redis.Redis(connection_pool=redis.ConnectionPool(
        **redis_client().connection_pool.connection_kwargs))
    theirs = QueuedRedisLock(elsewhere, "test:lock:two-servers")
    assert theirs.acquire(ttl=5, wait=0)
    assert theirs._conn is not kept
    assert theirs.release()


@pytest.fixture
def long_listens(monkeypatch):
    """A listen lasts 3 s, so a guest woken at once and one who sat out a listen are
    seconds apart, not the default 0.25 s: the checks below hold on a busy machine."""
    from apps.bookings import locks

    monkeypatch.setattr(locks, "LOCK_POLL_SECONDS", 3)


def _rush(name):
    """A holder, and this thread just queued for `name` and gave up: a rush on the block."""
    holder = QueuedRedisLock(redis_client(), name)
    assert holder.acquire(ttl=5, wait=0)
    assert not QueuedRedisLock(redis_client(), name).acquire(ttl=5, wait=0.05)
    return holder


def test_in_a_rush_the_listen_goes_out_with_the_ask_and_the_hand_over_arrives():
    name = "test:lock:rush"
    holder = _rush(name)
    waiter = QueuedRedisLock(redis_client(), name)
    waiter.ask(ttl=5, wait=3)
    assert waiter._listening  # sent in the same write as the ask
    threading.Timer(0.1, holder.release).start()
    assert waiter.wait()
    assert redis_client().zscore(name, waiter.token) is not None
    assert waiter.release()
    assert not redis_client().exists(name)


def test_a_listening_ask_given_the_place_at_once_leaves_nothing_behind(long_listens):
    name = "test:lock:rush-over"
    assert _rush(name).release()  # the rush is over: the place is free
    quick = QueuedRedisLock(redis_client(), name)
    quick.ask(ttl=5, wait=3)
    assert quick._listening
    started = time.monotonic()
    assert quick.wait()
    assert time.monotonic() - started < 1.5  # woken at once, not at the end of a listen
    assert not redis_client().exists(quick.wake)
    assert quick.release()
    calm = QueuedRedisLock(redis_client(), name)
    calm.ask(ttl=5, wait=3)
    assert not calm._listening  # got the place at once last time: no listen sent
    assert calm.wait() and calm.release()


def test_a_listening_guest_whose_work_failed_leaves_the_queue_at_once(long_listens):
    from apps.bookings.locks import BlockPlace

    name = "test:lock:rush-withdraw"
    holder = _rush(name)
    place = BlockPlace(QueuedRedisLock(redis_client(), name))
    place.ask()  # queued, listening
    started = time.monotonic()
    place.leave()
    assert time.monotonic() - started < 1.5  # did not sit out the listen
    assert redis_client().llen(f"{name}:queue") == 0
    assert holder.release()
    assert not redis_client().exists(name)  # nobody was handed the place


def test_a_redis_that_forgot_the_scripts_still_answers_a_listening_ask(long_listens):
    name = "test:lock:rush-noscript"
    assert _rush(name).release()
    redis_client().script_flush()  # as after a Redis restart
    lock = QueuedRedisLock(redis_client(), name)
    lock.ask(ttl=5, wait=3)
    assert lock._listening
    started = time.monotonic()
    assert lock.wait()
    assert time.monotonic() - started < 1.5
    assert lock.release()
    assert not redis_client().exists(name)
