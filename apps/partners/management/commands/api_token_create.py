from django.core.management import BaseCommand, CommandError

from apps.core.exceptions import ApplicationError
from apps.groups.models import Agency, Group
from apps.partners.models import Partner
from apps.partners.services import api_token_create


class Command(BaseCommand):
    help = "Issue an API token for a partner and print it (the only time it is shown)."

    def add_arguments(self, parser):
        parser.add_argument("partner", help="The partner's slug (created if new).")
        parser.add_argument("--name", default="default")
        parser.add_argument("--scope", action="append", choices=["read", "book"],
                            required=True, help="read and/or book (repeat).")
        parser.add_argument("--group", action="append", default=[],
                            help="A group slug the token reaches (repeat).")
        parser.add_argument("--agency", help="An agency slug: all of its groups.")

    def handle(self, *args, partner, name, scope, group, agency, **options):
        partner_obj, _ = Partner.objects.get_or_create(slug=partner,
                                                       defaults={"name": partner})
        groups = list(Group.objects.filter(slug__in=group))
        missing = set(group) - {g.slug for g in groups}
        if missing:
            raise CommandError(f"No such group: {', '.join(sorted(missing))}")
        agency_obj = Agency.objects.filter(slug=agency).first() if agency else None
        if agency and agency_obj is None:
            raise CommandError(f"No such agency: {agency}")
        try:
            issued = api_token_create(partner=partner_obj, name=name, scopes=scope,
                                      groups=groups, agency=agency_obj)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"Token for {partner_obj} ({', '.join(issued.token.scopes)}); "
                          f"shown only now, store it safely:\n{issued.secret}")
