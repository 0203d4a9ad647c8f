from django.test import Client


def host_client(group) -> Client:
    """A test client whose requests go to the group's own host."""
    return Client(HTTP_HOST=group.get_primary_domain().domain)
