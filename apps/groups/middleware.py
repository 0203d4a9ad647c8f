"""Route each request by host: the public site, a group's microsite, or a friendly 404."""

from django.conf import settings
from django.db import connection
from django.shortcuts import render
from django.urls import set_urlconf
from django_tenants.middleware.main import TenantMainMiddleware

from .hosts import group_for_host


class GroupHostMiddleware(TenantMainMiddleware):
    """`<ANCILE_DOMAIN>` is the public site; `<slug>.<ANCILE_DOMAIN>` is that group's site."""

    def get_tenant(self, domain_model, hostname):
        return group_for_host(hostname)

    def process_request(self, request):
        connection.set_schema_to_public()
        hostname = self.hostname_from_request(request)
        if hostname in {settings.ANCILE_DOMAIN, "testserver"}:
            request.tenant = connection.tenant  # the public schema
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            set_urlconf(request.urlconf)
            return None
        return super().process_request(request)

    def no_tenant_found(self, request, hostname):
        request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
        set_urlconf(request.urlconf)
        home = f"//{settings.ANCILE_DOMAIN}{_port_suffix(request)}/"
        return render(request, "groups/unknown_group.html",
                      {"hostname": hostname, "home": home}, status=404)


def _port_suffix(request) -> str:
    host = request.get_host()
    return ":" + host.rsplit(":", 1)[1] if ":" in host else ""
