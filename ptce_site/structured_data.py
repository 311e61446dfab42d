"""schema.org JSON-LD for search engines: ``json_ld(data)`` writes the ``<script>`` of a page.

Empty values are left out (the registry says nothing it does not know: no ``""``, ``None``,
``[]`` nor ``{}`` in the data), and the JSON is escaped like ``json_script`` does, so that a
pole's name holding ``</script>`` cannot end the element. A ``application/ld+json`` script is
data, never run: the Content-Security-Policy has nothing to allow.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.html import _json_script_escapes
from django.utils.safestring import SafeString, mark_safe

CONTEXT = "https://schema.org"


def without_empty(value: Any) -> Any:
    """``value`` with the empty values of its dicts and lists removed, recursively."""
    if isinstance(value, dict):
        cleaned = {key: without_empty(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if item not in (None, "", [], {})}
    if isinstance(value, list | tuple):
        cleaned = [without_empty(item) for item in value]
        return [item for item in cleaned if item not in (None, "", [], {})]
    return value


def json_ld(data: dict) -> SafeString:
    text = json.dumps(without_empty({"@context": CONTEXT, **data}), ensure_ascii=False)
    text = text.translate(_json_script_escapes)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308
