"""Public host pages: landing, the planner's home, and the hop into a group's back office."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render

from .models import Group
from .office import handoff_token_create, handoff_token_redeem
from .selectors import groups_for_planner, planner_can_access


def landing(request):
    return render(request, "public/landing.html")


@login_required
def office_home(request):
    groups = groups_for_planner(user=request.user)
    return render(request, "public/office_home.html", {"groups": groups})


@login_required
def office_enter_group(request, slug):
    group = get_object_or_404(Group, slug=slug)
    if not planner_can_access(user=request.user, group=group):
        return render(request, "groups/forbidden.html", {"target": group}, status=403)
    token = handoff_token_create(user=request.user, group=group)
    scheme = "https" if request.is_secure() else "http"
    port = request.get_port()
    port_part = "" if port in {"80", "443", None} else f":{port}"
    host = group.get_primary_domain().domain
    return HttpResponseRedirect(f"{scheme}://{host}{port_part}/office/handoff/?token={token}")


def office_handoff(request):
    """On a group host: redeem a hand-off token, then open the group's back office."""
    group = request.tenant
    if not handoff_token_redeem(request=request, token=request.GET.get("token", ""),
                                group=group):
        return render(request, "groups/handoff_failed.html", status=403)
    return redirect("group_admin:index")
