from django import template

from apps.inventory.selectors import group_pickup

register = template.Library()


@register.inclusion_tag("admin/inventory/_pickup_table.html")
def group_pickup_summary():
    """The pickup of every block of the current group, for the back office's home page."""
    return {"pickups": group_pickup(), "compact": True}
