"""The few texts the site builds from parts, punctuated as the page's language wants: French
puts a space before a colon and writes « guillemets » (« Statut : Opérationnel »), English
does neither ("Status: Operational", “waste”). Templates use the same messages through
``{% blocktranslate %}{{ label }} : {{ value }}{% endblocktranslate %}``."""

from __future__ import annotations

from django.utils.translation import gettext as _


def with_label(label, value) -> str:
    """« label : value » in the active language."""
    return _("%(label)s : %(value)s") % {"label": label, "value": value}


def quoted(text) -> str:
    """« text » in the active language."""
    return _("« %(text)s »") % {"text": text}
