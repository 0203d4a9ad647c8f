from django import template

from apps.core.money import format_money

register = template.Library()


@register.filter
def money(amount_minor, currency):
    """{{ amount_minor|money:"EUR" }} -> €1,234.50"""
    if amount_minor is None:
        return ""
    return format_money(int(amount_minor), currency)
