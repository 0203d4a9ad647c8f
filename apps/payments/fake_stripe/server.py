"""The fake Stripe server: state, endpoints, hosted pages and webhook delivery."""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import os
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

API_VERSION = "2026-10-28.endive"
ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx",
                "vnd", "vuv", "xaf", "xof", "xpf"}


def sign_payload(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe sends with `payload`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(),
                      hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _new_id(prefix: str) -> str:
    return f"{prefix}_fake{secrets.token_hex(10)}"


def _form_to_nested(pairs: list[tuple[str, str]]) -> dict:
    """`metadata[a]=1&line_items[0][quantity]=2` -> {"metadata": {"a": "1"}, ...}."""
    root: dict = {}
    for key, value in pairs:
        parts = [key.split("[", 1)[0]] + re.findall(r"\[([^\]]*)\]", key)
        node = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _lists(root)


def _lists(node):
    if isinstance(node, dict):
        node = {k: _lists(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            return [node[k] for k in sorted(node, key=int)]
    return node


class StripeError(Exception):
    def __init__(self, status: int, message: str, *, type_: str = "invalid_request_error",
                 code: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": type_, "message": message, **({"code": code} if code
                                                                      else {}),
                               **(extra or {})}}


def _missing(kind: str, object_id: str) -> StripeError:
    return StripeError(404, f"No such {kind}: '{object_id}'", code="resource_missing",
                       extra={"param": "id"})


class FakeStripe:
    """The server and everything it knows. Thread-safe; start() serves in a thread."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, webhook_url: str = "",
                 webhook_secret: str = "whsec_fake_local", state_file: str | None = None):
        self.host, self.port = host, port
        self.state_file = state_file  # keep what it knows across restarts (make run)
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        # "async": a thread delivers each event (retrying non-2xx a few times);
        # "sync": delivered before the request that caused it returns;
        # "hold": kept in `outbox` until a test takes them (take_outbox).
        self.delivery = "async"
        self.duplicates = 1          # send every event this many times
        self.out_of_order = False    # deliver each batch of events newest first
        self.answer_delays: dict[str, float] = {}  # API path prefix -> seconds late
        self.lock = threading.RLock()
        self.objects: dict[str, dict] = {}
        self.events: list[dict] = []
        self.outbox: list[dict] = []
        self.deliveries: list[dict] = []
        self.idempotent: dict[tuple[str, str], tuple[int, dict, str]] = {}
        self.requests: list[tuple[str, str]] = []
        self.balance: dict[str, int] = {}
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeStripe:
        self.load()
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer((self.host, self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True,
                         name="fake-stripe").start()
        return self

    def stop(self) -> None:
        self.persist()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def load(self) -> None:
        if not self.state_file or not os.path.exists(self.state_file):
            return
        with open(self.state_file) as f:
            state = json.load(f)
        with self.lock:
            self.objects = state["objects"]
            self.events = state["events"]
            self.balance = state["balance"]
            self.idempotent = {(a, k): tuple(v) for a, k, v in state["idempotent"]}

    def persist(self) -> None:
        if not self.state_file:
            return
        with self.lock:
            state = {"objects": self.objects, "events": self.events[-2000:],
                     "balance": self.balance,
                     "idempotent": [[a, k, list(v)] for (a, k), v in self.idempotent.items()]}
            tmp = f"{self.state_file}.tmp"
            with open(tmp, "w") as f:
                json.dump(state, f)
            os.replace(tmp, self.state_file)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # ------------------------------------------------------------------ objects

    def get(self, object_id: str, kind: str = "object") -> dict:
        with self.lock:
            obj = self.objects.get(object_id)
            if obj is None:
                raise _missing(kind, object_id)
            return obj

    def _save(self, obj: dict) -> dict:
        self.objects[obj["id"]] = obj
        return obj

    def _of(self, object_type: str, **filters) -> list[dict]:
        return [obj for obj in self.objects.values() if obj["object"] == object_type
                and all(obj.get(k) == v for k, v in filters.items())]

    @staticmethod
    def _list(data: list[dict], url: str) -> dict:
        data = sorted(data, key=lambda o: (o["created"], o["id"]), reverse=True)
        return {"object": "list", "data": data, "has_more": False, "url": url}

    def _fee(self, amount: int, currency: str) -> int:
        fixed = 0 if currency in ZERO_DECIMAL else 25
        return (amount * 15 + 500) // 1000 + fixed

    def _move(self, currency: str, amount: int) -> None:
        self.balance[currency] = self.balance.get(currency, 0) + amount

    def _balance_txn(self, *, amount: int, currency: str, source: str, type_: str,
                     fee: int = 0) -> dict:
        self._move(currency, amount - fee)
        return self._save({"id": _new_id("txn"), "object": "balance_transaction",
                           "amount": amount, "currency": currency, "fee": fee,
                           "net": amount - fee, "source": source, "type": type_,
                           "status": "available", "created": int(time.time())})

    # ------------------------------------------------------------------ events

    def emit(self, events: list[tuple[str, dict]]) -> list[dict]:
        """Record events (type, object snapshot) and send them as configured."""
        made = []
        with self.lock:
            for type_, obj in events:
                event = {"id": _new_id("evt"), "object": "event", "api_version": API_VERSION,
                         "created": int(time.time()), "type": type_, "livemode": False,
                         "pending_webhooks": 1, "data": {"object": json.loads(json.dumps(obj))},
                         "request": {"id": None, "idempotency_key": None}}
                self.events.append(event)
                made.append(event)
        batch = [e for e in made for _ in range(self.duplicates)]
        if self.out_of_order:
            batch.reverse()
        if self.delivery == "hold" or not self.webhook_url:
            with self.lock:
                self.outbox.extend(batch)
        elif self.delivery == "sync":
            for event in batch:
                self.deliver(event)
        else:
            threading.Thread(target=self._deliver_all, args=(batch,), daemon=True).start()
        return made

    def _deliver_all(self, batch: list[dict]) -> None:
        for event in batch:
            for attempt in range(4):
                if 200 <= self.deliver(event) < 300:
                    break
                time.sleep(0.5 * (attempt + 1))

    def signed(self, event: dict, *, timestamp: int | None = None) -> tuple[str, str]:
        payload = json.dumps(event, indent=2)
        return payload, sign_payload(payload, self.webhook_secret, timestamp)

    def deliver(self, event: dict) -> int:
        payload, signature = self.signed(event)
        request = urllib.request.Request(
            self.webhook_url, data=payload.encode(), method="POST",
            headers={"Content-Type": "application/json; charset=utf-8",
                     "Stripe-Signature": signature, "User-Agent": "Stripe/1.0 (fake)"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0
        with self.lock:
            self.deliveries.append({"event": event["id"], "type": event["type"],
                                    "status": status})
        return status

    def take_outbox(self) -> list[dict]:
        with self.lock:
            taken, self.outbox = self.outbox, []
            return taken

    # ------------------------------------------------------------------ checkout

    def checkout_session_create(self, params: dict) -> dict:
        items = params.get("line_items") or []
        if not items:
            raise StripeError(400, "line_items is required", code="parameter_missing")
        currency = items[0]["price_data"]["currency"].lower()
        amount = sum(int(item["price_data"]["unit_amount"]) * int(item.get("quantity", 1))
                     for item in items)
        if amount < 1:
            raise StripeError(400, "The amount must be positive.", code="amount_too_small")
        expires_at = params.get("expires_at")
        if expires_at and not time.time() + 30 * 60 <= int(expires_at) <= time.time() + 86400:
            raise StripeError(400, "The `expires_at` timestamp must be between 30 minutes and "
                                   "24 hours from Checkout Session creation.",
                              code="parameter_invalid_integer", extra={"param": "expires_at"})
        session_id = _new_id("cs_test")
        pi_data = params.get("payment_intent_data") or {}
        return self._save({
            "id": session_id, "object": "checkout.session", "mode": params.get("mode"),
            "status": "open", "payment_status": "unpaid", "amount_total": amount,
            "amount_subtotal": amount, "currency": currency,
            "customer_email": params.get("customer_email"),
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata") or {}, "payment_intent": None,
            "customer": None, "success_url": params["success_url"],
            "cancel_url": params.get("cancel_url"), "livemode": False,
            "url": f"{self.url}/checkout/{session_id}",
            "line_items_summary": [item["price_data"].get("product_data", {}).get("name", "")
                                   for item in items],
            "created": int(time.time()),
            "expires_at": int(params.get("expires_at") or time.time() + 24 * 3600),
            "_payment_intent_data": pi_data,
        })

    def checkout_session_complete(self, session_id: str, outcome: str) -> dict:
        """The guest pressed a button on the hosted page: "pay", "decline" or "3ds_fail"."""
        with self.lock:
            session = self.get(session_id, "checkout session")
            if session["status"] != "open":
                return session
            pi_data = session["_payment_intent_data"]
            pi = self.objects.get(session["payment_intent"] or "") or self._payment_intent(
                amount=session["amount_total"], currency=session["currency"],
                metadata=pi_data.get("metadata") or session["metadata"],
                transfer_group=pi_data.get("transfer_group"), customer=None,
                payment_method="pm_card_visa")
            session["payment_intent"] = pi["id"]
            if outcome == "pay":
                customer = self._save({"id": _new_id("cus"), "object": "customer",
                                       "email": session["customer_email"],
                                       "created": int(time.time())})
                pi["customer"] = session["customer"] = customer["id"]
                charge = self._succeed(pi)
                session.update(status="complete", payment_status="paid")
                events = [("charge.succeeded", charge), ("payment_intent.succeeded", pi),
                          ("checkout.session.completed", self.public(session))]
            else:
                code = ("card_declined" if outcome == "decline"
                        else "payment_intent_authentication_failure")
                message = ("Your card was declined." if outcome == "decline" else
                           "We are unable to authenticate your payment method.")
                pi.update(status="requires_payment_method", last_payment_error={
                    "type": "card_error", "code": code, "message": message,
                    **({"decline_code": "generic_decline"} if outcome == "decline" else {})})
                events = [("payment_intent.payment_failed", pi)]
        self.emit(events)
        return session

    def checkout_session_expire(self, session_id: str) -> dict:
        with self.lock:
            session = self.get(session_id, "checkout session")
            if session["status"] != "open":
                raise StripeError(400, "Only open sessions can be expired.",
                                  code="checkout_session_not_open")
            session["status"] = "expired"
        self.emit([("checkout.session.expired", self.public(session))])
        return session

    @staticmethod
    def public(obj: dict) -> dict:
        return {k: v for k, v in obj.items() if not k.startswith("_")}

    # ------------------------------------------------------------------ payment intents

    def _payment_intent(self, *, amount, currency, metadata, transfer_group, customer,
                        payment_method) -> dict:
        return self._save({
            "id": _new_id("pi"), "object": "payment_intent", "amount": int(amount),
            "amount_received": 0, "currency": currency.lower(), "status":
            "requires_payment_method", "metadata": metadata or {},
            "transfer_group": transfer_group, "customer": customer,
            "payment_method": payment_method, "latest_charge": None,
            "last_payment_error": None, "livemode": False, "created": int(time.time())})

    def _succeed(self, pi: dict) -> dict:
        charge_id = _new_id("ch")
        fee = self._fee(pi["amount"], pi["currency"])
        txn = self._balance_txn(amount=pi["amount"], currency=pi["currency"],
                                source=charge_id, type_="charge", fee=fee)
        charge = self._save({
            "id": charge_id, "object": "charge", "amount": pi["amount"],
            "amount_captured": pi["amount"], "amount_refunded": 0,
            "currency": pi["currency"], "payment_intent": pi["id"], "paid": True,
            "status": "succeeded", "refunded": False, "disputed": False,
            "balance_transaction": txn["id"], "metadata": pi["metadata"],
            "transfer_group": pi["transfer_group"], "customer": pi["customer"],
            "created": int(time.time())})
        pi.update(status="succeeded", amount_received=pi["amount"], latest_charge=charge_id,
                  last_payment_error=None)
        return charge

    def payment_intent_create(self, params: dict) -> dict:
        with self.lock:
            customer = params.get("customer")
            if customer and customer not in self.objects:  # deleted in the dashboard
                raise StripeError(400, f"No such customer: '{customer}'",
                                  code="resource_missing", extra={"param": "customer"})
            pi = self._payment_intent(
                amount=params["amount"], currency=params["currency"],
                metadata=params.get("metadata"), transfer_group=params.get("transfer_group"),
                customer=params.get("customer"),
                payment_method=params.get("payment_method"))
            if params.get("confirm") not in ("true", True):
                return pi
            if pi["payment_method"] in {"pm_card_chargeDeclined", "pm_card_visa_chargeDeclined"}:
                pi.update(last_payment_error={"type": "card_error", "code": "card_declined",
                                              "decline_code": "generic_decline",
                                              "message": "Your card was declined."})
                failed = dict(pi)
                error = StripeError(402, "Your card was declined.", type_="card_error",
                                    code="card_declined",
                                    extra={"decline_code": "generic_decline",
                                           "payment_intent": failed})
            else:
                charge = self._succeed(pi)
                error = None
        if error is not None:
            self.emit([("payment_intent.payment_failed", pi)])
            raise error
        self.emit([("charge.succeeded", charge), ("payment_intent.succeeded", pi)])
        return pi

    # ------------------------------------------------------------------ refunds

    def refund_create(self, params: dict) -> dict:
        with self.lock:
            if params.get("payment_intent"):
                pi = self.get(params["payment_intent"], "payment_intent")
                charge = self.get(pi["latest_charge"] or "", "charge")
            else:
                charge = self.get(params.get("charge", ""), "charge")
            left = charge["amount"] - charge["amount_refunded"]
            amount = int(params.get("amount") or left)
            if amount < 1 or amount > left:
                raise StripeError(400, f"Refund amount ({amount}) is greater than unrefunded "
                                       f"amount on charge ({left})",
                                  code="amount_too_large", extra={"param": "amount"})
            refund_id = _new_id("re")
            txn = self._balance_txn(amount=-amount, currency=charge["currency"],
                                    source=refund_id, type_="refund")
            refund = self._save({
                "id": refund_id, "object": "refund", "amount": amount,
                "currency": charge["currency"], "charge": charge["id"],
                "payment_intent": charge["payment_intent"], "status": "succeeded",
                "reason": params.get("reason"), "metadata": params.get("metadata") or {},
                "balance_transaction": txn["id"], "created": int(time.time())})
            charge["amount_refunded"] += amount
            charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        self.emit([("refund.created", refund), ("charge.refunded", charge)])
        return refund

    # ------------------------------------------------------------------ connect

    def account_create(self, params: dict) -> dict:
        with self.lock:
            return self._save({
                "id": _new_id("acct"), "object": "account", "type": params.get("type",
                                                                               "express"),
                "country": params.get("country"), "email": params.get("email"),
                "metadata": params.get("metadata") or {}, "charges_enabled": False,
                "payouts_enabled": False, "details_submitted": False,
                "created": int(time.time())})

    def account_link_create(self, params: dict) -> dict:
        account = self.get(params.get("account", ""), "account")
        token = secrets.token_urlsafe(8)
        with self.lock:
            account["_links"] = {**account.get("_links", {}), token: {
                "return_url": params["return_url"], "refresh_url": params["refresh_url"]}}
        return {"object": "account_link", "created": int(time.time()),
                "expires_at": int(time.time()) + 300,
                "url": f"{self.url}/connect/onboard/{account['id']}/{token}"}

    def account_onboard(self, account_id: str, token: str) -> str:
        with self.lock:
            account = self.get(account_id, "account")
            link = account.get("_links", {}).pop(token, None)
            if link is None:
                raise StripeError(404, "This onboarding link has expired.")
            account.update(details_submitted=True, charges_enabled=True, payouts_enabled=True)
        self.emit([("account.updated", self.public(account))])
        return link["return_url"]

    def transfer_create(self, params: dict) -> dict:
        with self.lock:
            destination = self.get(params.get("destination", ""), "destination")
            amount = int(params["amount"])
            currency = params["currency"].lower()
            if amount < 1:
                raise StripeError(400, "Transfers must be positive.", code="amount_too_small")
            transfer_id = _new_id("tr")
            txn = self._balance_txn(amount=-amount, currency=currency, source=transfer_id,
                                    type_="transfer")
            transfer = self._save({
                "id": transfer_id, "object": "transfer", "amount": amount,
                "amount_reversed": 0, "currency": currency,
                "destination": destination["id"], "transfer_group":
                params.get("transfer_group"), "metadata": params.get("metadata") or {},
                "reversed": False, "balance_transaction": txn["id"],
                "created": int(time.time())})
        self.emit([("transfer.created", transfer)])
        return transfer

    def transfer_reversal_create(self, transfer_id: str, params: dict) -> dict:
        with self.lock:
            transfer = self.get(transfer_id, "transfer")
            left = transfer["amount"] - transfer["amount_reversed"]
            amount = int(params.get("amount") or left)
            if amount < 1 or amount > left:
                raise StripeError(400, f"The reversal amount ({amount}) is more than what is "
                                       f"left on the transfer ({left}).",
                                  code="amount_too_large", extra={"param": "amount"})
            reversal_id = _new_id("trr")
            txn = self._balance_txn(amount=amount, currency=transfer["currency"],
                                    source=reversal_id, type_="transfer_refund")
            reversal = self._save({
                "id": reversal_id, "object": "transfer_reversal", "amount": amount,
                "currency": transfer["currency"], "transfer": transfer_id,
                "metadata": params.get("metadata") or {}, "balance_transaction": txn["id"],
                "created": int(time.time())})
            transfer["amount_reversed"] += amount
            transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
        self.emit([("transfer.reversed", transfer)])
        return reversal

    # ------------------------------------------------------------------ disputes

    def dispute_create(self, payment_intent_id: str, reason: str = "fraudulent") -> dict:
        with self.lock:
            pi = self.get(payment_intent_id, "payment_intent")
            charge = self.get(pi["latest_charge"], "charge")
            dispute_id = _new_id("dp")
            txn = self._balance_txn(amount=-charge["amount"], currency=charge["currency"],
                                    source=dispute_id, type_="adjustment")
            dispute = self._save({
                "id": dispute_id, "object": "dispute", "amount": charge["amount"],
                "currency": charge["currency"], "charge": charge["id"],
                "payment_intent": pi["id"], "reason": reason,
                "status": "needs_response", "metadata": {},
                "balance_transactions": [txn], "created": int(time.time())})
            charge["disputed"] = True
        self.emit([("charge.dispute.created", dispute)])
        return dispute

    def dispute_close(self, dispute_id: str, status: str) -> dict:
        with self.lock:
            dispute = self.get(dispute_id, "dispute")
            dispute["status"] = status
            if status == "won":
                txn = self._balance_txn(amount=dispute["amount"], currency=dispute["currency"],
                                        source=dispute_id, type_="adjustment")
                dispute["balance_transactions"].append(txn)
        self.emit([("charge.dispute.closed", dispute)])
        return dispute

    # ------------------------------------------------------------------ routing

    def api(self, method: str, path: str, params: dict) -> dict:
        parts = [p for p in path.split("/") if p][1:]  # drop "v1"
        key = tuple(parts)
        if method == "POST":
            if key == ("checkout", "sessions"):
                with self.lock:
                    return self.public(self.checkout_session_create(params))
            if len(key) == 4 and key[:2] == ("checkout", "sessions") and key[3] == "expire":
                return self.public(self.checkout_session_expire(key[2]))
            if key == ("payment_intents",):
                return self.payment_intent_create(params)
            if key == ("refunds",):
                return self.refund_create(params)
            if key == ("transfers",):
                return self.transfer_create(params)
            if len(key) == 3 and key[0] == "transfers" and key[2] == "reversals":
                return self.transfer_reversal_create(key[1], params)
            if key == ("accounts",):
                return self.public(self.account_create(params))
            if key == ("account_links",):
                return self.account_link_create(params)
        if method == "GET":
            with self.lock:
                if len(key) == 3 and key[:2] == ("checkout", "sessions"):
                    return self.public(self.get(key[2], "checkout session"))
                if key == ("balance",):
                    return {"object": "balance", "livemode": False, "pending": [],
                            "available": [{"amount": v, "currency": c}
                                          for c, v in sorted(self.balance.items())]}
                if len(key) == 2:
                    kind = {"payment_intents": "payment_intent", "refunds": "refund",
                            "transfers": "transfer", "accounts": "account", "charges": "charge",
                            "balance_transactions": "balance_transaction",
                            "disputes": "dispute", "events": "event"}.get(key[0])
                    if kind == "event":
                        found = [e for e in self.events if e["id"] == key[1]]
                        if not found:
                            raise _missing("event", key[1])
                        return found[0]
                    if kind:
                        obj = self.get(key[1], kind)
                        if obj["object"] != kind:
                            raise _missing(kind, key[1])
                        return self.public(obj)
                if len(key) == 3 and key[0] == "transfers" and key[2] == "reversals":
                    return self._list(self._of("transfer_reversal", transfer=key[1]),
                                      f"/v1/transfers/{key[1]}/reversals")
                if len(key) == 1 and key[0] in {"refunds", "transfers", "charges",
                                                "payment_intents", "balance_transactions",
                                                "disputes", "accounts"}:
                    kind = key[0][:-1] if key[0] != "refunds" else "refund"
                    filters = {k: v for k, v in params.items()
                               if k in {"payment_intent", "charge", "transfer_group",
                                        "destination", "source", "type"}}
                    return self._list([self.public(o) for o in self._of(kind, **filters)],
                                      f"/v1/{key[0]}")
        raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")


# --------------------------------------------------------------------------- HTTP


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;
color:#1a1f36}} .card{{border:1px solid #e3e8ee;border-radius:8px;padding:1.2rem}}
button{{display:block;width:100%;margin:.6rem 0;padding:.8rem;border-radius:6px;border:0;
font-size:1rem;cursor:pointer}} .pay{{background:#635bff;color:#fff}}
.alt{{background:#f6f9fc;color:#1a1f36;border:1px solid #e3e8ee}}
.error{{color:#df1b41}} .muted{{color:#697386;font-size:.9rem}}</style></head>
<body><p class="muted">Ancile test payments · not a real Stripe page</p>
<div class="card">{body}</div></body></html>"""


def _money(amount: int, currency: str) -> str:
    if currency in ZERO_DECIMAL:
        return f"{amount:,} {currency.upper()}"
    return f"{amount / 100:,.2f} {currency.upper()}"


class _Handler(BaseHTTPRequestHandler):
    fake: FakeStripe
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet
        pass

    # -- plumbing

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Request-Id", _new_id("req"))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, obj: dict, headers: dict | None = None):
        self._send(status, json.dumps(obj).encode(), "application/json", headers)

    def _html(self, status: int, title: str, body: str):
        self._send(status, PAGE.format(title=html.escape(title), body=body).encode(),
                   "text/html; charset=utf-8")

    def _redirect(self, location: str):
        self._send(303, b"", "text/plain", {"Location": location})

    # -- verbs

    def do_GET(self):
        self._route("GET")

    def do_POST(self):
        try:
            self._route("POST")
        finally:
            self.fake.persist()

    def do_DELETE(self):
        self._route("DELETE")

    def _route(self, method: str):
        url = urlsplit(self.path)
        raw = self._body() if method == "POST" else url.query.encode()
        try:
            if url.path.startswith("/v1/"):
                return self._api(method, url.path, raw)
            if url.path.startswith("/checkout/"):
                return self._checkout_page(method, url.path.split("/")[2], raw)
            if url.path.startswith("/connect/onboard/"):
                _, _, _, account_id, token = url.path.split("/")[:5]
                return self._onboarding_page(method, account_id, token)
            if url.path.startswith("/_fake/"):
                return self._control(method, url.path, raw)
            self._json(404, {"error": {"message": "Not found"}})
        except StripeError as error:
            self._json(error.status, error.body)

    def _api(self, method: str, path: str, raw: bytes):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer sk_"):
            raise StripeError(401, "Invalid API Key provided.", type_="invalid_request_error")
        params = _form_to_nested(parse_qsl(raw.decode(), keep_blank_values=True))
        key = self.headers.get("Idempotency-Key")
        fingerprint = f"{method} {path} {raw.decode()}"
        fake = self.fake
        if method == "POST" and key:
            with fake.lock:
                seen = fake.idempotent.get((auth, key))
            if seen is not None:
                status, body, then = seen
                if then != fingerprint:
                    raise StripeError(400, "Keys for idempotent requests can only be used with "
                                           "the same parameters they were first used with.",
                                      type_="idempotency_error")
                return self._answer(path, status, body, {"Idempotent-Replayed": "true"})
        with fake.lock:
            fake.requests.append((method, path))
        try:
            status, body = 200, fake.api(method, path, params)
        except StripeError as error:
            status, body = error.status, error.body
        if method == "POST" and key and status < 500:
            with fake.lock:
                fake.idempotent[(auth, key)] = (status, body, fingerprint)
        self._answer(path, status, body)

    def _answer(self, path: str, status: int, body: dict, headers: dict | None = None):
        """An API answer; late if the test asked for a slow network on this path (the
        work is done all the same, as when a real answer is lost on the way)."""
        delay = max((seconds for prefix, seconds in self.fake.answer_delays.items()
                     if path.startswith(prefix)), default=0)
        if delay:
            time.sleep(delay)
        self._json(status, body, headers)

    def _checkout_page(self, method: str, session_id: str, raw: bytes):
        fake = self.fake
        session = fake.get(session_id, "checkout session")
        error = ""
        if method == "POST":
            action = dict(parse_qsl(raw.decode())).get("action", "")
            if action == "cancel":
                return self._redirect(session["cancel_url"] or session["success_url"])
            if action not in {"pay", "decline", "3ds_fail"}:
                raise StripeError(400, "Unknown action")
            session = fake.checkout_session_complete(session_id, action)
            if session["payment_status"] == "paid":
                return self._redirect(session["success_url"].replace(
                    "{CHECKOUT_SESSION_ID}", session_id))
            pi = fake.get(session["payment_intent"])
            error = pi["last_payment_error"]["message"]
        if session["status"] != "open":
            return self._html(410, "Checkout", "<h1>This checkout page has expired.</h1>")
        items = "".join(f"<li>{html.escape(name)}</li>"
                        for name in session["line_items_summary"])
        body = (f"<h1>Pay {_money(session['amount_total'], session['currency'])}</h1>"
                f"<ul>{items}</ul>"
                + (f'<p class="error" role="alert">{html.escape(error)}</p>' if error else "")
                + '<form method="post">'
                '<button class="pay" name="action" value="pay">Pay with test card 4242</button>'
                '<button class="alt" name="action" value="decline">Decline (card 0002)</button>'
                '<button class="alt" name="action" value="3ds_fail">3-D Secure fails</button>'
                '<button class="alt" name="action" value="cancel">Back to the booking</button>'
                "</form>")
        self._html(200, "Checkout", body)

    def _onboarding_page(self, method: str, account_id: str, token: str):
        if method == "POST":
            return self._redirect(self.fake.account_onboard(account_id, token))
        account = self.fake.get(account_id, "account")
        self._html(200, "Onboarding", f"<h1>Set up payouts</h1><p>Account "
                   f"{html.escape(account['id'])} ({html.escape(account.get('email') or '')})"
                   f"</p><form method='post'><button class='pay'>Complete onboarding"
                   f"</button></form>")

    def _control(self, method: str, path: str, raw: bytes):
        """Test controls: /_fake/config, /_fake/outbox, /_fake/events, /_fake/disputes."""
        fake = self.fake
        parts = [p for p in path.split("/") if p][1:]
        data = json.loads(raw or b"{}") if method == "POST" else {}
        if parts == ["config"] and method == "POST":
            for name in ("webhook_url", "webhook_secret", "delivery", "duplicates",
                         "out_of_order"):
                if name in data:
                    setattr(fake, name, data[name])
            return self._json(200, {"ok": True})
        if parts == ["outbox"]:
            return self._json(200, {"data": fake.take_outbox()})
        if parts == ["events"]:
            return self._json(200, {"data": fake.events})
        if len(parts) == 3 and parts[0] == "checkout" and method == "POST":
            return self._json(200, fake.public(fake.checkout_session_complete(parts[1],
                                                                              parts[2])))
        if parts == ["disputes"] and method == "POST":
            return self._json(200, fake.dispute_create(data["payment_intent"],
                                                       data.get("reason", "fraudulent")))
        if len(parts) == 3 and parts[0] == "disputes" and parts[2] == "close":
            return self._json(200, fake.dispute_close(parts[1], data.get("status", "lost")))
        raise StripeError(404, f"Unknown control {path}")
