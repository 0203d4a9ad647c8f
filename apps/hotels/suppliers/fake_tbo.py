"""A local stand-in for the TBO hotel API: same wire format, a fixed catalogue, and
misbehaviour on demand. Tests start it on a free port; `sync_inventory` starts it when no
TBO_BASE_URL is configured in local development; it also runs on its own:

    python -m apps.hotels.suppliers.fake_tbo --port 8765

Misbehaviour is set on the FakeTbo object:

    fake.fail_next("/HotelList", status=429, retry_after="2")   # then answers normally
    fake.fail_next("/HotelRates", status=500, times=3)
    fake.fail_next("/HotelList", delay=1.0)                     # slow reply (client timeout)
    fake.fail_next("/HotelList", body={"Status": {"Code": 400, "Description": "..."}})
    fake.revoke_tokens()                  # tokens issued so far are refused from now on
    fake.token_lifetime = 1               # seconds a new token lives
    fake.reject_with_http_401 = True      # refuse tokens with HTTP 401, not in a 200 body
    fake.malformed.add("TBO-BER-3002")    # that hotel's record comes out broken
    fake.malformed_rates.add("TBO-LIS-1002")
    fake.set_rate("TBO-LIS-1001", "DBL", night, price=Decimal("150.00"), available=2)
"""

import argparse
import json
import secrets
import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

USERNAME = "ancile"
PASSWORD = "fake-tbo-password"
MAX_NIGHTS = 90

# code, name, city, country, time zone, stars, modified, rooms: (code, name, bed, occupancy, base)
CATALOGUE = [
    ("TBO-LIS-1001", "Lisboa Riverside Hotel", "Lisbon", "PT", "Europe/Lisbon", 4, "2025-03-10",
     [("DBL", "Double River View", "Double", 2, "118.675"),
      ("TWN", "Twin Classic", "Twin", 2, "104.50"),
      ("STE", "Tagus Suite", "Suite", 4, "260.00")]),
    ("TBO-LIS-1002", "Casa do Chiado", "Lisbon", "PT", "Europe/Lisbon", 3, "2025-01-20",
     [("DBL", "Double Room", "Queen", 2, "92.40"),
      ("SGL", "Single Room", "Queen", 1, "71.125")]),
    ("TBO-SIN-2001", "Serra de Sintra Hotel", "Sintra", "PT", "Europe/Lisbon", 5, "2025-04-02",
     [("KNG", "Palace King", "King", 2, "189.99"),
      ("TWN", "Garden Twin", "Twin", 2, "165.00")]),
    ("TBO-BER-3001", "Spree Congress Hotel", "Berlin", "DE", "Europe/Berlin", 4, "2025-02-14",
     [("SGL", "Single Business", "Queen", 1, "99.00"),
      ("DBL", "Double Business", "King", 2, "121.335")]),
    ("TBO-BER-3002", "Hotel am Tiergarten", "Berlin", "DE", "Europe/Berlin", 3, "2024-11-30",
     [("DBL", "Comfort Double", "Double", 2, "84.90")]),
]


@dataclass
class Fault:
    status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0
    body: dict | None = None
    broken: bool = False  # the answer breaks off halfway through its body


BROKEN = "X-Fake-Broken"  # between answer() and the handler; never sent


class FakeTbo:
    def __init__(self, *, username: str = USERNAME, password: str = PASSWORD,
                 page_size: int = 2, token_lifetime: float = 3600):
        self.username, self.password = username, password
        self.page_size = page_size
        self.token_lifetime = token_lifetime
        self.reject_with_http_401 = False
        self.malformed: set[str] = set()
        self.malformed_rates: set[str] = set()
        self.requests: Counter[str] = Counter()
        self.rejected_tokens = 0
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._tokens: dict[str, float] = {}
        self._rates: dict[tuple[str, str, date], tuple[Decimal, int]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------------ control

    def start(self, port: int = 0, host: str = "127.0.0.1") -> str:
        fake = self

        class Handler(_Handler):
            pass

        Handler.fake = fake
        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True,
                         name="fake-tbo").start()
        return self.url

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, path: str, *, status: int | None = None, times: int = 1,
                  retry_after: str | None = None, delay: float = 0.0,
                  body: dict | None = None, broken: bool = False) -> None:
        """The next `times` calls to `path` misbehave: an HTTP status, a body, a delay, an
        answer that breaks off halfway."""
        with self._lock:
            for _ in range(times):
                self._faults[path].append(Fault(status, retry_after, delay, body, broken))

    def revoke_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def set_rate(self, hotel_code: str, room_code: str, night: date, *, price: Decimal,
                 available: int | None = None) -> None:
        with self._lock:
            current = self._rate(hotel_code, room_code, night)
            self._rates[hotel_code, room_code, night] = (
                price, current[1] if available is None else available)

    # ------------------------------------------------------------------ answers

    def answer(self, path: str, request: dict) -> tuple[int, dict, dict]:
        """(HTTP status, body, headers) for one call; runs on the server's threads."""
        with self._lock:
            self.requests[path] += 1
            fault = self._faults[path].popleft() if self._faults[path] else None
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.broken:
            return 200, _status(200), {BROKEN: "1"}
        if fault and (fault.status or fault.body):
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            body = fault.body or _status(fault.status, "Fault injected by the fake")
            return fault.status or 200, body, headers
        if path == "/Authenticate":
            return 200, self._authenticate(request), {}
        if path not in ("/HotelList", "/HotelRates"):
            return 404, _status(404, f"No such method {path}"), {}
        if not self._token_valid(request.get("TokenId")):
            self.rejected_tokens += 1
            return (401 if self.reject_with_http_401 else 200,
                    _status(401, "Invalid or expired token"), {})
        if path == "/HotelList":
            return 200, self._hotel_list(request), {}
        return 200, self._hotel_rates(request), {}

    def _authenticate(self, request: dict) -> dict:
        if (request.get("UserName"), request.get("Password")) != (self.username, self.password):
            return _status(401, "Invalid UserName or Password")
        token = secrets.token_hex(12)
        with self._lock:
            self._tokens[token] = time.monotonic() + self.token_lifetime
        return {**_status(200), "TokenId": token, "ExpiresIn": self.token_lifetime}

    def _token_valid(self, token) -> bool:
        with self._lock:
            return self._tokens.get(token, 0) > time.monotonic()

    def _hotel_list(self, request: dict) -> dict:
        hotels = CATALOGUE
        if request.get("HotelCodes"):
            hotels = [h for h in hotels if h[0] in request["HotelCodes"]]
        if request.get("ModifiedSince"):
            hotels = [h for h in hotels if h[6] >= request["ModifiedSince"]]
        size = int(request.get("PageSize") or self.page_size)
        size = min(size, self.page_size)
        page = int(request.get("PageNo") or 1)
        total_pages = max(1, -(-len(hotels) // size))
        records = [self._hotel(h) for h in hotels[(page - 1) * size:page * size]]
        return {**_status(200), "PageNo": page, "TotalPages": total_pages, "Hotels": records}

    def _hotel(self, spec) -> dict:
        code, name, city, country, tz, stars, modified, rooms = spec
        record = {
            "HotelCode": code, "HotelName": name, "CityName": city, "CountryCode": country,
            "Address": f"{len(name)} {name.split()[0]} Street, {city}", "TimeZone": tz,
            "Currency": "EUR", "HotelRating": stars, "Modified": modified,
            "Description": f"{name}, a {stars}-star hotel in {city}.",
            "ImageUrl": f"https://images.example/{code.lower()}.jpg",
            "Rooms": [{"RoomTypeCode": r[0], "RoomTypeName": r[1], "BedType": r[2],
                       "MaxOccupancy": r[3], "IsSuite": r[2] == "Suite"} for r in rooms],
        }
        if code in self.malformed:
            record["Rooms"][0]["MaxOccupancy"] = "two"
        return record

    def _hotel_rates(self, request: dict) -> dict:
        spec = next((h for h in CATALOGUE if h[0] == request.get("HotelCode")), None)
        if spec is None:
            return _status(404, f"Unknown HotelCode {request.get('HotelCode')!r}")
        try:
            check_in = date.fromisoformat(request["CheckIn"])
            check_out = date.fromisoformat(request["CheckOut"])
        except (KeyError, TypeError, ValueError):
            return _status(400, "CheckIn and CheckOut must be YYYY-MM-DD")
        if not 0 < (check_out - check_in).days <= MAX_NIGHTS:
            return _status(400, f"CheckOut must be 1 to {MAX_NIGHTS} nights after CheckIn")
        nights = [check_in + timedelta(days=n) for n in range((check_out - check_in).days)]
        rooms = []
        with self._lock:
            for room in spec[7]:
                rooms.append({"RoomTypeCode": room[0], "Nights": [
                    {"Date": night.isoformat(), "Price": price, "Available": available}
                    for night in nights
                    for price, available in [self._rate(spec[0], room[0], night)]]})
        if spec[0] in self.malformed_rates:
            rooms[0]["Nights"][0]["Price"] = "on request"
        return {**_status(200), "HotelCode": spec[0], "Currency": "EUR", "Rooms": rooms}

    def _rate(self, hotel_code: str, room_code: str, night: date) -> tuple[Decimal, int]:
        if (hotel_code, room_code, night) in self._rates:
            return self._rates[hotel_code, room_code, night]
        spec = next(h for h in CATALOGUE if h[0] == hotel_code)
        base = Decimal(next(r[4] for r in spec[7] if r[0] == room_code))
        if night.weekday() in (4, 5):
            base = (base * Decimal("1.15")).quantize(Decimal("0.001"))
        return base, 2 + (night.toordinal() + len(room_code)) % 7


def _status(code: int, description: str = "Successful") -> dict:
    return {"Status": {"Code": code, "Description": description}}


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)  # the wire carries JSON numbers; repr keeps the digits exact
    raise TypeError(f"cannot encode {value!r}")


class _Handler(BaseHTTPRequestHandler):
    fake: FakeTbo
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            request = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            request = None
        if not isinstance(request, dict):
            status, body, headers = 400, _status(400, "Request body must be a JSON object"), {}
        else:
            status, body, headers = self.fake.answer(self.path, request)
        data = json.dumps(body, default=_json_default).encode()
        broken = headers.pop(BROKEN, None)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            # Broken: promise more than is sent, then hang up.
            self.send_header("Content-Length", str(len(data) + (100 if broken else 0)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            if broken:
                self.close_connection = True
        except ConnectionError:
            pass  # the client gave up waiting (a timeout test); nothing to tell it

    def log_message(self, format, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the fake TBO hotel API.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--page-size", type=int, default=2)
    args = parser.parse_args()
    fake = FakeTbo(page_size=args.page_size)
    url = fake.start(port=args.port, host=args.host)
    print(f"Fake TBO API on {url} (user {USERNAME!r}, password {PASSWORD!r}). Point Ancile "
          f"at it with TBO_BASE_URL={url} TBO_USERNAME={USERNAME} TBO_PASSWORD={PASSWORD}. "
          f"Ctrl-C stops it.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
