"""A wedding guest on a phone books a room from the microsite, then cancels it."""

from datetime import date, timedelta
from pathlib import Path

from django_tenants.utils import tenant_context

from apps.bookings.models import Booking
from apps.groups.services import Branding
from apps.inventory.models import BlockNight
from tests.conftest import live_database
from tests.factories import RoomTypeFactory, block_for_test, group_create_for_test

pytestmark = live_database
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _wedding():
    group = group_create_for_test(slug="mia-and-leo", name="Mia & Leo",
                                  branding=Branding(welcome_text="Join us in Sintra!"))
    double = RoomTypeFactory(name="Garden Double", hotel__name="Quinta Azul")
    arrival = date.today() + timedelta(days=40)
    block = block_for_test(group, double, arrival=arrival, allotment=4, cutoff_days=10,
                           name="Wedding", sell_rate_minor=12500)
    return group, block, arrival


def test_guest_books_and_cancels_on_a_phone(live_server, phone, drop_group_schemas):
    group, block, arrival = _wedding()
    port = live_server.url.rsplit(":", 1)[1]
    site = f"http://mia-and-leo.localhost:{port}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    phone.goto(site + "/")
    assert phone.locator("h1").first.inner_text() == "Mia & Leo"
    phone.get_by_role("link", name="See nights and book").click()
    assert phone.get_by_text("Rooms left each night").is_visible()

    phone.get_by_label("Garden Double").check()
    phone.get_by_label("Rooms").select_option("2")
    phone.get_by_role("button", name="Hold these rooms").click()
    assert phone.get_by_text("Your rooms are held").is_visible()
    countdown = phone.locator("[data-seconds-left]").inner_text()
    assert ":" in countdown  # the script turned seconds into m:ss
    phone.screenshot(path=str(SCREENSHOTS / "hold.png"), full_page=True)

    phone.get_by_label("First name").fill("Inês")
    phone.get_by_label("Last name").fill("Moreira")
    phone.get_by_label("E-mail").fill("ines@example.com")
    phone.get_by_role("button", name="Confirm booking").click()
    assert phone.get_by_text("You're booked").is_visible()
    reference = phone.locator(".reference").inner_text()
    phone.screenshot(path=str(SCREENSHOTS / "booked.png"), full_page=True)

    with tenant_context(group):
        booking = Booking.objects.get(reference=reference)
        assert booking.guest_first_name == "Inês" and booking.quantity == 2
        assert list(BlockNight.objects.values_list("booked", flat=True)) == [2, 2]

    phone.get_by_label(f"Yes, cancel booking {reference}").check()
    phone.get_by_role("button", name="Cancel booking").click()
    assert phone.get_by_text(f"Booking {reference} is cancelled").is_visible()
    with tenant_context(group):
        assert list(BlockNight.objects.values_list("booked", flat=True)) == [0, 0]


def test_booking_works_without_javascript(live_server, browser, drop_group_schemas):
    group, block, arrival = _wedding()
    port = live_server.url.rsplit(":", 1)[1]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"http://mia-and-leo.localhost:{port}/stay/{block.pk}/")
    page.get_by_label("Garden Double").check()
    page.get_by_role("button", name="Hold these rooms").click()
    assert page.get_by_text("seconds left").is_visible()  # plain server-rendered countdown
    page.get_by_label("First name").fill("Rui")
    page.get_by_label("Last name").fill("Santos")
    page.get_by_label("E-mail").fill("not-an-email")
    page.get_by_role("button", name="Confirm booking").click()
    assert page.get_by_text("Enter a valid email address").is_visible()
    page.get_by_label("E-mail").fill("rui@example.com")
    page.get_by_role("button", name="Confirm booking").click()
    assert page.get_by_text("You're booked").is_visible()
    context.close()
