"""The group's microsite (group host)."""

from django.shortcuts import render

from apps.inventory.selectors import offers_for_microsite


def home(request):
    group = request.tenant
    if not group.is_live:
        return render(request, "microsite/not_open.html", status=503)
    return render(request, "microsite/home.html", {"offers": offers_for_microsite()})
