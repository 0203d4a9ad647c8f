"""`make bench-booking`: one hot block, many concurrent guests over HTTP, three strategies.

1. redis+sfu  the app as shipped: Redis lock queue in front of SELECT ... FOR UPDATE
2. sfu        the app with ANCILE_BOOKING_REDIS_LOCK=false: row locks alone
3. raw-pg     the ceiling: the same locked read and increment of the block's night rows
              from a tight psycopg loop, no Django, no HTTP
and a control, "sfu again": a second server set up exactly as sfu. What it makes of sfu
is the run's own noise: two identical servers measured this way differ by that much, so a
gap between redis+sfu and sfu inside that band is not a gap the run can see.

Each app strategy runs under its own gunicorn with the production settings
(ancile/gunicorn_conf.py, several workers) on the PostgreSQL and Redis that ancile.stack
started. The servers start and warm up for WARM_UP_SECONDS (workers booting, connections
opening), then take turns: a round measures each for SECONDS, in an order that rotates
from round to round, so all see the same minutes of a machine whose speed drifts and none
always goes first. Round 0 is not counted. The raw-pg rounds come after the app rounds.
Each strategy gets a fresh block with a big allotment, so throughput is measured rather
than sell-out; afterwards every night's `held` counter is checked against the holds that
really exist and against the allotment (oversold).
Alongside throughput and latency it reads where the CPU went (tests/bench/cpu.py): per
hold, how many milliseconds the web workers, PostgreSQL, Redis and the clients spent.
Prints the tables and writes var/bench/booking.json.
"""

import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from ancile import gunicorn_conf
from tests.bench import cpu

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "64"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
WARM_UP_SECONDS = 2
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "9"))
# Default: what ancile/gunicorn_conf.py gives production.
WORKERS = int(os.environ.get("BENCH_WORKERS", gunicorn_conf.workers))
THREADS = int(os.environ.get("BENCH_THREADS", gunicorn_conf.threads))  # 1: sync workers
ALLOTMENT = 1_000_000
# The app servers, each with and without the Redis queue; "sfu again" is the control.
APP_STRATEGIES = {"redis+sfu": True, "sfu": False, "sfu again": False}
HOST = "bench.localhost"
# The app servers hold their database connections at once (one per thread); PostgreSQL
# keeps a few of its max_connections for itself, and the bench uses some.
SPARE_CONNECTIONS = 10


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ancile.settings.local")
    import django

    django.setup()


def make_block(label: str):
    """A fresh two-night block in the bench group: (group, block, room type, arrival)."""
    from django_tenants.utils import tenant_context

    from apps.groups.models import Agency, Group
    from apps.groups.services import group_create
    from apps.hotels.models import Hotel, RoomType
    from apps.inventory.services import block_create, block_nights_set

    group = Group.objects.filter(slug="bench").first()
    if group is None:
        agency, _ = Agency.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
        group = group_create(agency=agency, slug="bench", name="Bench", kind="conference",
                             starts_on=date.today() + timedelta(days=30),
                             ends_on=date.today() + timedelta(days=32))
    hotel, _ = Hotel.objects.get_or_create(name="Bench Hotel", city="Berlin", country="DE")
    room_type, _ = RoomType.objects.get_or_create(hotel=hotel, code="DBL",
                                                  defaults={"name": "Double"})
    arrival = date.today() + timedelta(days=30)
    with tenant_context(group):
        block = block_create(hotel=hotel, name=f"Hot block {label} {uuid.uuid4().hex[:6]}",
                             arrival=arrival, departure=arrival + timedelta(days=2),
                             cutoff_date=arrival - timedelta(days=1))
        block_nights_set(block=block, room_type=room_type, first_night=arrival,
                         last_night=arrival + timedelta(days=1), allotment=ALLOTMENT,
                         net_rate_minor=9000, sell_rate_minor=10000)
    return group, block, room_type, arrival


def prepare_database():
    """Migrate (a fresh machine's database is empty), and score holds by APT-1 as in
    production: train the demo model once if none is active in the bench database (about
    half a minute, the first time only)."""
    from django.core.management import call_command

    call_command("migrate_all", verbosity=0)
    call_command("train_risk", "--source", "synthetic", "--if-missing", verbosity=0)


def verify(group, block):
    """(holds, oversold): counters must equal the holds and never exceed the allotment."""
    from django_tenants.utils import tenant_context

    from apps.bookings.models import Hold
    from apps.inventory.models import BlockNight

    with tenant_context(group):
        holds = Hold.objects.filter(block=block).count()
        nights = list(BlockNight.objects.filter(block=block).values_list("held", "allotment"))
    oversold = sum(max(0, held - allotment) for held, allotment in nights)
    oversold += sum(abs(held - holds) for held, _ in nights)  # counters out of step
    return holds, oversold


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(port: int, redis_lock: bool) -> subprocess.Popen:
    # Workers, threads and the worker class are read by ancile/gunicorn_conf.py, as in
    # production.
    env = dict(os.environ, DJANGO_DEBUG="false", WEB_CONCURRENCY=str(WORKERS),
               WEB_THREADS=str(THREADS),
               ANCILE_BOOKING_REDIS_LOCK="true" if redis_lock else "false")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "ancile/gunicorn_conf.py",
         "ancile.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "--env",
         f"DJANGO_SETTINGS_MODULE={os.environ['DJANGO_SETTINGS_MODULE']}"],
        cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, _, _ = request(port, "GET", "/")
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = conn.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read()
    finally:
        conn.close()


class App:
    """One strategy's gunicorn, its own fresh block, and a guest's hold POST against it."""

    def __init__(self, name: str, redis_lock: bool):
        self.name = name
        self.group, self.block, self.room_type, self.arrival = make_block(name)
        self.port = free_port()
        self.server = start_gunicorn(self.port, redis_lock)
        try:  # not yet in main()'s list of servers to stop
            self._open_stay_form()
            drive(self.post, WARM_UP_SECONDS)  # every worker booted and connected
        except BaseException:
            self.stop()
            raise

    def _open_stay_form(self):
        self.path = f"/stay/{self.block.pk}/"
        _, cookie, _ = request(self.port, "GET", self.path)
        token = re.search(r"csrftoken=([^;]+)", cookie).group(1)
        self.form = (f"room_type={self.room_type.pk}&check_in={self.arrival.isoformat()}"
                     f"&check_out={(self.arrival + timedelta(days=2)).isoformat()}"
                     f"&quantity=1&csrfmiddlewaretoken={token}&request_key=")
        self.headers = {"Content-Type": "application/x-www-form-urlencoded",
                        "Cookie": f"csrftoken={token}"}

    def post(self):
        started = time.perf_counter()
        try:
            status, _, _ = request(self.port, "POST", self.path,
                                   self.form + uuid.uuid4().hex, self.headers)
        except OSError:
            status = 599
        return status, time.perf_counter() - started

    def measure(self) -> dict:
        before = cpu.take()
        results, elapsed = drive(self.post, SECONDS)
        after = cpu.take()
        latencies = sorted(seconds * 1000 for _, seconds in results)
        holds = sum(1 for status, _ in results if status == 302)  # a hold redirects
        row = summary(self.name, len(results), holds, elapsed, latencies, oversold=0,
                      errors_5xx=sum(1 for status, _ in results if status >= 500))
        return row | cpu.spent(before, after, elapsed, holds)

    def stop(self) -> int:
        """Stop the server; the block's oversold count, checked once no request is left."""
        self.server.send_signal(signal.SIGTERM)
        self.server.wait(20)
        return verify(self.group, self.block)[1]


def drive(post, seconds):
    """CLIENTS threads posting back to back for `seconds`: ([(status, seconds)], elapsed)."""
    results, lock = [], threading.Lock()
    stop_at = time.monotonic() + seconds

    def client():
        mine = []
        while time.monotonic() < stop_at:
            mine.append(post())
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.monotonic() - began


def raw_pg_strategy(group, block, room_type):
    import psycopg

    url = os.environ["DATABASE_URL"]
    schema = group.schema_name
    sql_lock = (f'SELECT id, allotment, held, booked FROM "{schema}".inventory_blocknight '
                f"WHERE block_id = %s AND room_type_id = %s ORDER BY room_type_id, night "
                f"FOR UPDATE")
    sql_take = f'UPDATE "{schema}".inventory_blocknight SET held = held + 1 WHERE id = ANY(%s)'
    latencies, lock = [], threading.Lock()
    taken = [0]
    # Connected before the clock starts and closed after it stops, as the app's are.
    connections = [psycopg.connect(url) for _ in range(CLIENTS)]

    def client(conn, stop_at):
        mine, count = [], 0
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            with conn.transaction():
                rows = conn.execute(sql_lock, [block.pk, room_type.pk]).fetchall()
                if all(a - h - b >= 1 for _, a, h, b in rows):
                    conn.execute(sql_take, [[row[0] for row in rows]])
                    count += 1
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)
            taken[0] += count

    before, began = cpu.take(), time.monotonic()
    threads = [threading.Thread(target=client, args=(conn, began + SECONDS))
               for conn in connections]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed, after = time.monotonic() - began, cpu.take()
    for conn in connections:
        conn.close()
    from django_tenants.utils import tenant_context

    from apps.inventory.models import BlockNight

    with tenant_context(group):
        nights = list(BlockNight.objects.filter(block=block).values_list("held", "allotment"))
    oversold = sum(max(0, h - a) for h, a in nights) + sum(abs(h - taken[0]) for h, _ in nights)
    return summary("raw-pg", len(latencies), taken[0], elapsed, sorted(latencies), oversold,
                   errors_5xx=0) | cpu.spent(before, after, elapsed, taken[0])


def summary(name, attempts, holds, elapsed, latencies, oversold, errors_5xx):
    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1) \
            if latencies else None

    return {"strategy": name, "clients": CLIENTS, "attempts": attempts, "holds": holds,
            "holds_per_s": round(holds / elapsed, 1), "p50_ms": pct(0.50),
            "p99_ms": pct(0.99), "oversold": oversold, "errors_5xx": errors_5xx,
            "seconds": round(elapsed, 1)}


def run_round(n, apps):
    """One round: each app strategy for SECONDS, back to back, so they share the machine's
    mood. The servers stay up between rounds, and the order rotates, so none always
    inherits another's leftovers (autovacuum, a warm or cold cache). Round 0 is a
    warm-up."""
    rows = []
    for app in apps[n % len(apps):] + apps[:n % len(apps)]:
        print(f"  round {n}: {app.name} …", flush=True)
        rows.append(app.measure())
    return rows


def raw_pg_round(n):
    """The ceiling, measured after the app rounds: its bursts of new connections and
    dead rows would otherwise land on whichever app strategy came next."""
    group, block, room_type, _ = make_block("raw")
    print(f"  round {n}: raw-pg …", flush=True)
    return raw_pg_strategy(group, block, room_type)


def median_row(rows):
    """The median of each figure across rounds; oversold and 5xx are summed, never hidden."""
    row = dict(rows[0])
    for key in ("attempts", "holds", "holds_per_s", "p50_ms", "p99_ms", "seconds",
                "busy_cores"):
        if key in row:
            row[key] = round(statistics.median(r[key] for r in rows), 2)
    for key in ("cpu_ms_per_hold", "switches_per_hold"):
        if key in row:
            row[key] = {part: round(statistics.median(r[key][part] for r in rows), 2)
                        for part in cpu.PARTS}
    row["oversold"] = sum(r["oversold"] for r in rows)
    row["errors_5xx"] = sum(r["errors_5xx"] for r in rows)
    return row


def print_tables(results, ratios, ceiling):
    columns = ["strategy", "clients", "attempts", "holds", "holds_per_s", "p50_ms", "p99_ms",
               "oversold", "errors_5xx"]
    print(f"\nmedians over {ROUNDS} rounds")
    print("  ".join(f"{c:>11}" for c in columns))
    for row in results:
        print("  ".join(f"{str(row[c]):>11}" for c in columns))
    if all("cpu_ms_per_hold" in row for row in results):
        print("\nwhere the CPU went: ms per hold, and how busy the "
              f"{os.cpu_count()} cores were (medians)")
        print("  ".join(f"{c:>11}" for c in ("strategy", *cpu.PARTS, "total", "busy_cores")))
        for row in results:
            spent = row["cpu_ms_per_hold"]
            print("  ".join(f"{str(v):>11}" for v in (
                row["strategy"], *spent.values(), round(sum(spent.values()), 2),
                row["busy_cores"])))
        print("\ncontext switches per hold (medians)")
        print("  ".join(f"{c:>11}" for c in ("strategy", *cpu.PARTS)))
        for row in results:
            print("  ".join(f"{str(v):>11}" for v in (
                row["strategy"], *row["switches_per_hold"].values())))
    print("\nthroughput ratios, median of per-round ratios:")
    for (over, under), (median, rounds) in ratios.items():
        print(f"  {over} / {under}: {median:.2f}x "
              f"(rounds: {', '.join(f'{r:.2f}' for r in rounds)})")
    print(f"  the first is the comparison; the second, two servers set up alike, is this "
          f"run's noise\n  redis+sfu / raw-pg ceiling: {ceiling:.2f}x")


def ratio_of(rounds, over: str, under: str):
    """(median, per-round list) of one strategy's holds/s over another's."""
    per_round = []
    for rows in rounds:
        by_name = {row["strategy"]: row for row in rows}
        per_round.append(by_name[over]["holds_per_s"] / max(by_name[under]["holds_per_s"], 0.1))
    return statistics.median(per_round), per_round


def connections_check():
    """The app servers' connections must fit in PostgreSQL's max_connections."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        room = int(cursor.fetchone()[0]) - SPARE_CONNECTIONS
    if len(APP_STRATEGIES) * WORKERS * THREADS > room:
        raise SystemExit(
            f"bench-booking: {len(APP_STRATEGIES)} servers x {WORKERS} workers x {THREADS} "
            f"threads would open {len(APP_STRATEGIES) * WORKERS * THREADS} database "
            f"connections; this PostgreSQL has room for "
            f"{room}. Lower BENCH_WORKERS or BENCH_THREADS, or raise max_connections.")


def main():
    setup_django()
    connections_check()
    prepare_database()
    print(f"bench-booking: {CLIENTS} concurrent clients, {ROUNDS} rounds of {SECONDS:.0f}s "
          f"per strategy, gunicorn with {WORKERS} workers x {THREADS} threads, "
          f"{os.cpu_count()} CPU cores", flush=True)
    apps, oversold = [], {}
    try:
        for name, redis_lock in APP_STRATEGIES.items():
            apps.append(App(name, redis_lock=redis_lock))
        run_round(0, apps)  # not counted
        rounds = [run_round(n + 1, apps) for n in range(ROUNDS)]
    finally:
        for app in apps:
            oversold[app.name] = app.stop()
    for n, rows in enumerate(rounds):
        rows.append(raw_pg_round(n + 1))
    results = [median_row([r for rows in rounds for r in rows if r["strategy"] == name])
               for name in (*APP_STRATEGIES, "raw-pg")]
    for row in results:
        row["oversold"] += oversold.get(row["strategy"], 0)
    ratios = {pair: ratio_of(rounds, *pair)
              for pair in (("redis+sfu", "sfu"), ("sfu again", "sfu"))}
    by_name = {row["strategy"]: row for row in results}
    ceiling = by_name["redis+sfu"]["holds_per_s"] / max(by_name["raw-pg"]["holds_per_s"], 0.1)
    print_tables(results, ratios, ceiling)
    out = ROOT / "var" / "bench" / "booking.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "strategies": [by_name[name] for name in ("redis+sfu", "sfu", "raw-pg")],
        "control": by_name["sfu again"],
        "ratios": {"redis_sfu_over_sfu": round(ratios["redis+sfu", "sfu"][0], 2),
                   "sfu_again_over_sfu": round(ratios["sfu again", "sfu"][0], 2),
                   "redis_sfu_over_raw_pg": round(ceiling, 2)},
        "rounds": rounds}, indent=2))
    print(f"written {out.relative_to(ROOT)}")
    failed = any(row["oversold"] or row["errors_5xx"] for row in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
