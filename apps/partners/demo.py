"""The demo partner `make run` loads, with a token the README's curl examples use.

The token's secret is fixed (and public) so the guide works as written; real tokens are
random and shown once (`manage.py api_token_create`).
"""

from apps.groups.models import Agency

from .models import ApiToken, Partner
from .services import api_token_create, token_hash, webhook_endpoint_create

DEMO_TOKEN = "anc_demo_wanderlust_read_and_book_0001"
DEMO_WEBHOOK_URL = "http://localhost:8766/webhooks/ancile"
DEMO_WEBHOOK_SECRET = "whsec_demo_wanderlust"


def demo_partner_load(*, agency: Agency) -> Partner:
    """Wanderlust Travel reaches every group of `agency`, and listens for webhooks."""
    partner, _ = Partner.objects.get_or_create(
        slug="wanderlust", defaults={"name": "Wanderlust Travel",
                                     "contact_email": "dev@wanderlust.example"})
    if not ApiToken.objects.filter(token_hash=token_hash(DEMO_TOKEN)).exists():
        api_token_create(partner=partner, name="demo", scopes=["read", "book"],
                         agency=agency, secret=DEMO_TOKEN)
    if not partner.webhook_endpoints.exists():
        webhook_endpoint_create(partner=partner, url=DEMO_WEBHOOK_URL,
                                secret=DEMO_WEBHOOK_SECRET)
    return partner



