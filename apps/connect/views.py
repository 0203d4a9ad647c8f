"""/office/payouts/ on the public host: a planner's earnings per group, and the connected
accounts (their agency's and their groups' hotels') that receive the money."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_tenants.utils import tenant_context

from apps.core.exceptions import ApplicationError
from apps.groups.selectors import groups_for_planner, planner_can_edit
from apps.hotels.models import Hotel
from apps.inventory.models import RoomBlock

from .models import ConnectedAccount
from .services import (connected_account_create, connected_account_refresh,
                       onboarding_link_create)

PARTY_KINDS = {"agency", "hotel"}


def _parties(user, *, editing: bool = False):
    """The agencies and hotels of this planner's groups (`editing`: only of the groups
    they may change, not those they only view)."""
    groups = [group for group in groups_for_planner(user=user)
              if not editing or planner_can_edit(user=user, group=group)]
    agencies = {g.agency_id: g.agency for g in groups}
    hotels = {}
    earnings = []
    for group in groups:
        from apps.payments.selectors import group_earnings

        with tenant_context(group):
            for hotel_id in RoomBlock.objects.values_list("hotel_id", flat=True).distinct():
                hotels[hotel_id] = None
            earnings.append((group, group_earnings()))
    for hotel in Hotel.objects.filter(pk__in=hotels):
        hotels[hotel.pk] = hotel
    return list(agencies.values()), [h for h in hotels.values() if h], earnings


@login_required
def office_payouts(request):
    agencies, hotels, earnings = _parties(request.user)
    may_agencies, may_hotels, _ = _parties(request.user, editing=True)
    may = {("agency", o.pk) for o in may_agencies} | {("hotel", o.pk) for o in may_hotels}
    accounts = {(a.kind, a.agency_id or a.hotel_id): a for a in ConnectedAccount.objects.all()}
    rows = ([("agency", agency, accounts.get(("agency", agency.pk)),
              ("agency", agency.pk) in may) for agency in agencies]
            + [("hotel", hotel, accounts.get(("hotel", hotel.pk)), ("hotel", hotel.pk) in may)
               for hotel in hotels])
    return render(request, "public/office_payouts.html", {"rows": rows, "earnings": earnings})


@login_required
@require_POST
def office_payouts_onboard(request, kind: str, pk: int):
    if kind not in PARTY_KINDS:
        raise Http404("Unknown kind of account.")
    owner = _owner(request.user, kind, pk, editing=True)
    existing = ConnectedAccount.objects.filter(**{kind: owner}).first()
    if existing is not None and existing.ready:  # set up: never re-routed from here
        messages.info(request, f"Payouts to {owner} are already set up. To change the bank "
                               f"account, contact the platform.")
        return redirect("office-payouts")
    back = request.build_absolute_uri(reverse("office-payouts-return", args=[kind, pk]))
    try:
        account = connected_account_create(**{kind: owner}, email=request.user.email)
        url = onboarding_link_create(account=account, return_url=back, refresh_url=back)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("office-payouts")
    return redirect(url)


def _owner(user, kind: str, pk: int, *, editing: bool = False):
    """The agency or hotel `pk`, if it is one of this planner's; else 404."""
    agencies, hotels, _ = _parties(user, editing=editing)
    owner = next((o for o in (agencies if kind == "agency" else hotels) if o.pk == pk), None)
    if owner is None:
        raise Http404("Not one of yours.")
    return owner


@login_required
def office_payouts_return(request, kind: str, pk: int):
    if kind not in PARTY_KINDS:
        raise Http404("Unknown kind of account.")
    owner = _owner(request.user, kind, pk)
    account = ConnectedAccount.objects.filter(**{kind: owner}).first()
    if account is not None:
        account = connected_account_refresh(account=account)
        if account.ready:
            messages.success(request, f"Payouts to {owner} are set up.")
        else:
            messages.info(request, f"Onboarding for {owner} is not finished yet.")
    return redirect("office-payouts")
