"""``{% french_part obj "field" %}``: ` lang="fr"` on the element holding a text the page shows
in French although the page is in another language, so that screen readers read it with a
French voice (WCAG 3.1.2, language of parts). ``{% french_text obj "field" %}``: the text itself,
in a ``<span lang="fr">`` where it needs one (a title inside a sentence or a list item)."""

from django import template
from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def french_part(obj, field: str) -> str:
    """A field kept in French only (a pole's summary), or a translated one whose text in the
    page's language is empty (modeltranslation then shows the French): marked; nothing on a
    French page, nor for a text written in the page's language."""
    language = get_language() or settings.LANGUAGE_CODE
    if language == settings.LANGUAGE_CODE:
        return ""
    if getattr(obj, f"{field}_{language.replace('-', '_')}", None):
        return ""
    return mark_safe(f' lang="{settings.LANGUAGE_CODE}"')


@register.simple_tag
def french_text(obj, field: str) -> str:
    """``obj.field`` escaped, wrapped in ``<span lang="fr">`` when ``french_part`` would mark it
    (an English page showing it in French); bare otherwise."""
    value = getattr(obj, field)
    if french_part(obj, field):
        return format_html('<span lang="{}">{}</span>', settings.LANGUAGE_CODE, value)
    return conditional_escape(value)
