import argparse
import signal
import sys

from .server import FakeStripe


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m apps.payments.fake_stripe")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--webhook-url", default="")
    parser.add_argument("--webhook-secret", default="whsec_fake_local")
    parser.add_argument("--state-file", default=None,
                        help="Keep accounts, payments, transfers here across restarts.")
    args = parser.parse_args()
    fake = FakeStripe(host=args.host, port=args.port, webhook_url=args.webhook_url,
                      webhook_secret=args.webhook_secret, state_file=args.state_file)
    fake.start()
    print(f"fake Stripe on {fake.url} (webhooks to {args.webhook_url or 'nowhere'})",
          flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        signal.pause()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
