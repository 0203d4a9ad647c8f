"""/office/payouts/ on the public host: a planner's earnings per group, and the connected
accounts (their agency's and their groups' hotels') that receive the money."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_tenants.utils import tenant_context

from apps.core.exceptions import ApplicationError
from apps.groups.models import Agency
from apps.groups.selectors import groups_for_planner, planner_can_edit
from apps.hotels.models import Hotel
from apps.inventory.models import RoomBlock

from .models import ConnectedAccount
from .services import (connected_account_create, connected_account_refresh,
                       onboarding_link_create)

PARTY_KINDS = {"agency", "hotel"}


@dataclass
class Parties:
    """What a planner's groups pay out to, and which of those they may set up."""

    agencies: list[Agency]
    hotels: list[Hotel]
    may_set_up: set[tuple[str, int]]  # (kind, pk): from groups the planner may change
    earnings: list  # (group, its earnings), when asked for


def _parties(user, *, earnings: bool = False) -> Parties:
    from apps.payments.selectors import group_earnings

    agencies, hotel_ids, may, earned = {}, set(), set(), []
    for group in groups_for_planner(user=user):
        editable = planner_can_edit(user=user, group=group)
        agencies[group.agency_id] = group.agency
        with tenant_context(group):
            ids = set(RoomBlock.objects.values_list("hotel_id", flat=True).distinct())
            if earnings:
                earned.append((group, group_earnings()))
        hotel_ids |= ids
        if editable:
            may |= {("agency", group.agency_id)} | {("hotel", pk) for pk in ids}
    return Parties(agencies=list(agencies.values()),
                   hotels=list(Hotel.objects.filter(pk__in=hotel_ids)), may_set_up=may,
                   earnings=earned)


@login_required
def office_payouts(request):
    parties = _parties(request.user, earnings=True)
    accounts = {(a.kind, a.agency_id or a.hotel_id): a for a in ConnectedAccount.objects.all()}
    rows = [(kind, owner, accounts.get((kind, owner.pk)), (kind, owner.pk) in parties.may_set_up)
            for kind, owners in (("agency", parties.agencies), ("hotel", parties.hotels))
            for owner in owners]
    return render(request, "public/office_payouts.html",
                  {"rows": rows, "earnings": parties.earnings})


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
    """The agency or hotel `pk`, if it is one of this planner's (and `editing`: one they
    may set up); else 404."""
    parties = _parties(user)
    owners = parties.agencies if kind == "agency" else parties.hotels
    owner = next((o for o in owners if o.pk == pk), None)
    if owner is None or (editing and (kind, pk) not in parties.may_set_up):
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
