"""A tiny webhook receiver that checks Ancile's signatures: what a partner writes, and
what the tests and the demo send to.

    python -m apps.partners.receiver [--port 8766] [--secret whsec_demo_wanderlust]

prints each event it gets and whether its signature is valid.
"""

import argparse
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .signing import signature_valid


@dataclass
class Received:
    path: str
    headers: dict
    body: str
    signature_ok: bool

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    secret: str
    port: int = 0
    fail_next: int = 0  # answer this many requests with 500 first
    delay: float = 0.0  # seconds before each answer (a slow partner)
    received: list[Received] = field(default_factory=list)
    echo: bool = False

    def __post_init__(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                ok = signature_valid(receiver.secret, body,
                                     self.headers.get("Ancile-Signature", ""))
                receiver.received.append(Received(self.path, dict(self.headers), body, ok))
                if receiver.echo:
                    event = json.loads(body)
                    print(f"{event['type']} {event['group']} "
                          f"{event['data'].get('reference') or event['data'].get('id')} "
                          f"signature {'valid' if ok else 'INVALID'}", flush=True)
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = 400 if not ok else 200
                if receiver.fail_next:
                    receiver.fail_next -= 1
                    status = 500
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/ancile"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--secret", default="whsec_demo_wanderlust")
    args = parser.parse_args()
    receiver = WebhookReceiver(secret=args.secret, port=args.port, echo=True)
    print(f"listening on {receiver.url}", flush=True)
    try:
        receiver.server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
