"""Client for a TBO-style hotel API: JSON over HTTPS, every call a POST.

    POST /Authenticate  {"UserName", "Password"}            -> {"TokenId", "ExpiresIn"}
    POST /HotelList     {"TokenId", "PageNo", "PageSize",
                         "HotelCodes"?, "ModifiedSince"?}   -> {"Hotels", "PageNo", "TotalPages"}
    POST /HotelRates    {"TokenId", "HotelCode",
                         "CheckIn", "CheckOut"}             -> {"Currency", "Rooms": [{"Nights"}]}

Every answer carries {"Status": {"Code": 200, "Description": "..."}}; a Code other than
200 is an error even when the HTTP status is 200.

How the client behaves:
- one requests.Session (kept-alive connections through an HTTPAdapter pool), a connect and
  a read timeout on every call;
- 429, 5xx (in HTTP or in the body), timeouts and dropped connections are retried with
  exponential backoff; a Retry-After header is honoured (capped at `max_wait`);
- the token is cached in Django's cache (Redis) until shortly before it expires, shared
  by every process, and fetched again when it expires or the supplier rejects it;
- amounts are parsed as Decimal and rounded half-up to the currency's minor unit.
"""

import hashlib
import logging
import math
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests
from django.core.cache import cache
from requests.adapters import HTTPAdapter

from apps.core.money import minor_exponent
from apps.hotels.models import RoomType

from .base import (HotelRecord, InvalidRecord, NightlyRateRecord, RecordInvalid,
                   RoomTypeRecord, SupplierAuthFailed, SupplierError, SupplierUnavailable)

logger = logging.getLogger(__name__)

BED_TYPES = {"king": RoomType.Bed.KING, "queen": RoomType.Bed.QUEEN,
             "double": RoomType.Bed.DOUBLE, "twin": RoomType.Bed.TWIN,
             "suite": RoomType.Bed.SUITE}
OK = 200


class _TokenRejected(Exception):
    pass


class TboClient:
    def __init__(self, *, base_url: str, username: str, password: str, name: str = "tbo",
                 timeout: tuple[float, float] = (3.05, 30), max_attempts: int = 4,
                 backoff: float = 0.5, max_wait: float = 30, token_margin: float = 60,
                 page_size: int = 100, sleep: Callable[[float], None] = time.sleep):
        self.name = name
        self.label = f"{name} at {base_url}"
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.password = password
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_wait = max_wait
        self.token_margin = token_margin
        self.page_size = page_size
        self.sleep = sleep
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=4, max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers.update({"Accept": "application/json",
                                     "User-Agent": "Ancile supplier sync"})
        account = hashlib.sha256(f"{self.base_url}|{username}".encode()).hexdigest()[:16]
        self.token_key = f"suppliers:{name}:token:{account}"

    # ------------------------------------------------------------------ the interface

    def hotels(self, *, codes: Sequence[str] = (),
               since: date | None = None) -> Iterator[HotelRecord | InvalidRecord]:
        page = 1
        while True:
            payload = {"PageNo": page, "PageSize": self.page_size}
            if codes:
                payload["HotelCodes"] = list(codes)
            if since:
                payload["ModifiedSince"] = since.isoformat()
            body = self.call("/HotelList", payload)
            hotels = body.get("Hotels") or []
            if not isinstance(hotels, list):
                raise SupplierError(f"HotelList page {page}: 'Hotels' is not a list")
            for raw in hotels:
                yield _hotel_or_invalid(raw)
            total_pages = body.get("TotalPages")
            if isinstance(total_pages, int):
                if page >= total_pages:
                    return
            elif len(hotels) < self.page_size:
                return
            page += 1

    def rates(self, *, hotel_code: str, first_night: date,
              last_night: date) -> list[NightlyRateRecord]:
        body = self.call("/HotelRates", {
            "HotelCode": hotel_code, "CheckIn": first_night.isoformat(),
            "CheckOut": (last_night + timedelta(days=1)).isoformat()})
        try:
            return _rates(body)
        except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
            raise RecordInvalid(f"rates: {_problem(exc)}") from exc

    # ------------------------------------------------------------------ calls

    def call(self, path: str, payload: dict) -> dict:
        """POST with a token; fetch a new token once if the supplier rejects this one."""
        try:
            return self._post(path, {**payload, "TokenId": self.token()})
        except _TokenRejected:
            logger.info("%s rejected the cached token; signing in again", self.name)
            cache.delete(self.token_key)
            try:
                return self._post(path, {**payload, "TokenId": self.token()})
            except _TokenRejected as exc:
                raise SupplierAuthFailed(f"{path}: a fresh token was rejected too: {exc}")

    def token(self) -> str:
        cached = cache.get(self.token_key)
        if cached and cached["expires_at"] - self.token_margin > time.time():
            return cached["token"]
        try:
            body = self._post("/Authenticate", {"UserName": self.username,
                                                "Password": self.password})
        except _TokenRejected as exc:
            raise SupplierAuthFailed(
                f"{self.name} refused the username or password: {exc}") from exc
        token, expires_in = body.get("TokenId"), body.get("ExpiresIn", 3600)
        if not token or not isinstance(expires_in, int | Decimal):
            raise SupplierError("Authenticate answered without TokenId/ExpiresIn")
        cache.set(self.token_key, {"token": token, "expires_at": time.time() + float(expires_in)},
                  timeout=max(1, math.ceil(expires_in)))
        return token

    def _post(self, path: str, payload: dict) -> dict:
        url = self.base_url + path
        for attempt in range(1, self.max_attempts + 1):
            wait = self.backoff * 2 ** (attempt - 1)
            try:
                response = self.session.post(url, json=payload, timeout=self.timeout)
            except requests.Timeout:
                problem = "timed out"
            except requests.ConnectionError as exc:
                problem = f"connection failed ({exc.__class__.__name__})"
            except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                    requests.exceptions.InvalidSchema) as exc:
                raise SupplierError(f"{self.name}: the supplier address {url!r} is not a "
                                    f"valid URL ({exc.__class__.__name__}); check "
                                    f"TBO_BASE_URL") from exc
            except requests.RequestException as exc:  # e.g. the answer broke off mid-body
                problem = f"the answer broke off ({exc.__class__.__name__})"
            else:
                if response.status_code == 429 or response.status_code >= 500:
                    problem = f"HTTP {response.status_code}"
                    wait = _retry_after(response) or wait
                elif response.status_code == 401:
                    raise _TokenRejected("HTTP 401")
                else:
                    body = _json(response, path)
                    code, description = _status(body, response.status_code)
                    if code == OK:
                        return body
                    if code == 401 or "token" in description.lower():
                        raise _TokenRejected(f"{code} {description}")
                    if code < 500:
                        raise SupplierError(f"{path}: {code} {description}",
                                            extra={"status": code})
                    problem = f"{code} {description}"
            if attempt == self.max_attempts:
                raise SupplierUnavailable(f"{path}: {problem} ({attempt} attempts)")
            wait = min(wait, self.max_wait)
            logger.warning("%s %s: %s; retrying in %.2fs", self.name, path, problem, wait)
            self.sleep(wait)
        raise AssertionError("unreachable")


# ---------------------------------------------------------------------- parsing


def _json(response: requests.Response, path: str) -> dict:
    try:
        body = response.json(parse_float=Decimal)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise SupplierError(f"{path}: HTTP {response.status_code}, answer is not a JSON object")
    return body


def _status(body: dict, http_status: int) -> tuple[int, str]:
    status = body.get("Status")
    if isinstance(status, dict) and isinstance(status.get("Code"), int):
        return status["Code"], str(status.get("Description") or "")
    return (http_status, "") if http_status != OK else (502, "answer has no Status")


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(when.tzinfo)).total_seconds())


def _problem(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]}"
    if isinstance(exc, InvalidOperation):
        return "amount is not a number"
    return str(exc)


def _text(raw: dict, key: str, *, required: bool = True) -> str:
    value = raw.get(key)
    if value is None or value == "":
        if required:
            raise KeyError(key)
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key} is not text: {value!r}")
    return value.strip()


def _whole(raw: dict, key: str, *, minimum: int = 0) -> int:
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{key} must be a whole number of at least {minimum}: {value!r}")
    return value


def _hotel_or_invalid(raw) -> HotelRecord | InvalidRecord:
    if not isinstance(raw, dict):
        return InvalidRecord(code="?", name="?", problem=f"hotel record is not an object: {raw!r}")
    code, name = str(raw.get("HotelCode") or "?"), str(raw.get("HotelName") or "?")
    try:
        return _hotel(raw)
    except (KeyError, TypeError, ValueError) as exc:
        return InvalidRecord(code=code, name=name, problem=_problem(exc))


def _hotel(raw: dict) -> HotelRecord:
    rating = raw.get("HotelRating")
    if rating is not None and (not isinstance(rating, int) or not 0 <= rating <= 5):
        raise ValueError(f"HotelRating must be 0 to 5: {rating!r}")
    rooms = raw.get("Rooms")
    if not isinstance(rooms, list) or not rooms:
        raise ValueError("Rooms must be a non-empty list")
    return HotelRecord(
        code=_text(raw, "HotelCode"), name=_text(raw, "HotelName"),
        city=_text(raw, "CityName"), country=_text(raw, "CountryCode").upper(),
        currency=_text(raw, "Currency").upper(), address=_text(raw, "Address", required=False),
        timezone=_zone(_text(raw, "TimeZone", required=False)), star_rating=rating,
        description=_text(raw, "Description", required=False),
        photo_url=_text(raw, "ImageUrl", required=False),
        room_types=tuple(_room_type(room) for room in rooms))


def _zone(name: str) -> str:
    """An IANA time zone name, or "" when the supplier sent none (the hotel keeps its own)."""
    if name:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"TimeZone is not a time zone name such as Europe/Lisbon: "
                             f"{name!r}") from None
    return name


def _room_type(raw: dict) -> RoomTypeRecord:
    if not isinstance(raw, dict):
        raise ValueError(f"room record is not an object: {raw!r}")
    bed = _text(raw, "BedType", required=False).lower()
    return RoomTypeRecord(
        code=_text(raw, "RoomTypeCode"), name=_text(raw, "RoomTypeName"),
        bed_type=BED_TYPES.get(bed, RoomType.Bed.DOUBLE),
        max_occupancy=_whole(raw, "MaxOccupancy", minimum=1),
        is_suite=raw.get("IsSuite") is True or bed == "suite",
        description=_text(raw, "Description", required=False))


def _rates(body: dict) -> list[NightlyRateRecord]:
    currency = _text(body, "Currency").upper()
    exponent = Decimal(1).scaleb(-minor_exponent(currency))
    records = []
    for room in body["Rooms"]:
        if not isinstance(room, dict):
            raise ValueError(f"room record is not an object: {room!r}")
        room_code = _text(room, "RoomTypeCode")
        for night in room["Nights"]:
            if not isinstance(night, dict):
                raise ValueError(f"room {room_code}: night record is not an object: {night!r}")
            price = night["Price"]
            if isinstance(price, bool) or not isinstance(price, int | Decimal | str):
                raise ValueError(f"room {room_code}: Price is not a number: {price!r}")
            try:
                amount = Decimal(str(price))
            except InvalidOperation:
                raise ValueError(f"room {room_code}: Price is not a number: {price!r}")
            if not amount.is_finite() or amount < 0:
                raise ValueError(f"room {room_code}: Price is not a positive amount: {price!r}")
            try:
                day = date.fromisoformat(_text(night, "Date"))
            except ValueError:
                raise ValueError(f"room {room_code}: Date is not YYYY-MM-DD: {night['Date']!r}")
            records.append(NightlyRateRecord(
                room_type_code=room_code, night=day, currency=currency,
                rate_minor=int((amount / exponent).quantize(Decimal(1), rounding=ROUND_HALF_UP)),
                available=_whole(night, "Available")))
    return records
