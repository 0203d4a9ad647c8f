"""The production web server's settings: `gunicorn -c ancile/gunicorn_conf.py ancile.wsgi`.

Sync workers by default, one request at a time each: a hold is short CPU work between
database round trips, and on 2 cores they do the most holds per second (README, `make
bench-booking`). Workers default to one per CPU core plus one (WEB_CONCURRENCY).
WEB_THREADS above 1 switches to threaded workers (gthread), for sites whose requests spend
long on the network: a sync worker waiting on Stripe at checkout serves nobody else. Each
thread then holds its own database connection (CONN_MAX_AGE): size max_connections, or a
pooler, for workers x threads per machine.

Each worker loads the app itself (no preload): the APT-1 model's onnxruntime session, and
on a GPU its CUDA context, must not cross a fork. Once loaded, the app's objects are moved
out of the garbage collector's sight (gc.freeze) and young-generation collections run less
often: Django allocates many short-lived objects per request, and scanning the long-lived
ones over and over cost about 6% of a hold's CPU (in-process, hold POSTs through
Django's test client: 9.1 against 8.5 ms per hold with gc.freeze and a 50,000 threshold).
"""

import gc
import os

bind = os.environ.get("ANCILE_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1))
threads = int(os.environ.get("WEB_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
backlog = 2048
timeout = 30
accesslog = None


def post_worker_init(worker):
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
