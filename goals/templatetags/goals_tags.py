from django import template

from goals.rules import formatting

register = template.Library()

register.filter("plain", formatting.plain)
register.filter("target_text", formatting.target_text)
register.filter("forecast_text", formatting.forecast_text)
register.filter("rate_text", formatting.rate_text)


@register.simple_tag
def scaled(value, scale, unit):
    return formatting.scaled(value, scale, unit)


@register.filter
def in_target_scale(value, target):
    return formatting.in_target_scale(value, target)
