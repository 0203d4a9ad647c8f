"""Suppliers by name. The name is also what the synced hotels carry in Hotel.supplier.

    with supplier_open("tbo") as supplier:
        for record in supplier.hotels(): ...

"tbo" is TBO itself, configured by TBO_BASE_URL, TBO_USERNAME and TBO_PASSWORD. "fake"
starts the local fake TBO server (apps.hotels.suppliers.fake_tbo) for as long as the
block lasts, so development and the demo sync without reaching the internet. A second
supplier is one more entry here and one more client module beside tbo.py.
"""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from django.conf import settings

from .base import Supplier, SupplierError
from .tbo import TboClient

SETUP_HINT = ("Set TBO_BASE_URL, TBO_USERNAME and TBO_PASSWORD to sync from TBO, or use "
              "--supplier fake to sync from the built-in fake TBO server.")


@contextmanager
def _tbo() -> Iterator[Supplier]:
    if not settings.TBO_BASE_URL:
        raise SupplierError(f"TBO_BASE_URL is not set. {SETUP_HINT}",
                            code="supplier_not_configured")
    yield TboClient(base_url=settings.TBO_BASE_URL, username=settings.TBO_USERNAME,
                    password=settings.TBO_PASSWORD, name="tbo")


@contextmanager
def _fake() -> Iterator[Supplier]:
    from .fake_tbo import PASSWORD, USERNAME, FakeTbo

    fake = FakeTbo()
    url = fake.start()
    try:
        client = TboClient(base_url=url, username=USERNAME, password=PASSWORD, name="fake")
        client.label = f"the built-in fake TBO server at {url}"
        yield client
    finally:
        fake.stop()


SUPPLIERS: dict[str, Callable[[], AbstractContextManager[Supplier]]] = {
    "tbo": _tbo,
    "fake": _fake,
}


def supplier_default() -> str:
    """TBO when it is configured; in local development (DEBUG) the fake otherwise."""
    if settings.TBO_BASE_URL or not settings.DEBUG:
        return "tbo"
    return "fake"


def supplier_open(name: str) -> AbstractContextManager[Supplier]:
    try:
        return SUPPLIERS[name]()
    except KeyError:
        raise SupplierError(f"Unknown supplier {name!r}; known: {', '.join(sorted(SUPPLIERS))}",
                            code="supplier_unknown") from None
