"""The planner's risk page in the group's back office (/admin/risk/)."""

from django.template.response import TemplateResponse

from apps.groups.admin_site import current_group, group_admin_site

from .selectors import group_risk_forecast


def planner_risk(request):
    group = current_group()
    forecast = group_risk_forecast(group=group)
    context = {**group_admin_site.each_context(request), "title": "Cancellation risk",
               "forecast": forecast, "group": group,
               "deposit_percent": round(forecast.thresholds[0] * 100),
               "prepay_percent": round(forecast.thresholds[1] * 100)}
    return TemplateResponse(request, "admin/risk/planner.html", context)


planner_risk_view = group_admin_site.admin_view(planner_risk)
