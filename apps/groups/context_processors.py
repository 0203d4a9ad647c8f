from django.conf import settings


def current_group(request):
    group = getattr(request, "tenant", None)
    return {"group": group if getattr(group, "pk", None) else None,
            "ancile_domain": settings.ANCILE_DOMAIN}
