"""``{% search_snippet pole search %}``: a result card's extract with the searched words in
``<mark>`` (``poles/registry/search/highlight.py``), escaped."""

from django import template

register = template.Library()


@register.simple_tag
def search_snippet(pole, search):
    return search.snippet(pole)
