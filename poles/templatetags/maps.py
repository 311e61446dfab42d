"""``{% mini_map %}``: the small map of laureates by region (home page, call pages)."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("poles/includes/_mini_map.html", takes_context=True)
def mini_map(context, call=None, level=None):
    """Calls before the 2016 reform are shown by former region, as their documents list them."""
    from poles.registry.views import map_strings

    if level is None:
        level = "former" if call is not None and call.year < 2016 else "current"
    query = {"level": level}
    if call is not None:
        query["call"] = call.slug
    encoded = urlencode(query)
    return {
        "regions_url": f"{reverse('poles:api-regions')}?{encoded}",
        "full_url": f"{reverse('poles:map')}?{encoded}",
        "level": level,
        "call": call,
        "map_strings": map_strings(),
    }
