"""How a spreadsheet's cell becomes a model's value and back, for the registry's
django-import-export resources: French yes/no, decimal commas, choices by code or label,
related rows by natural key (an INSEE code, a name, a slug) instead of database ids.

The library's own widgets take ids and English booleans; these read what a curator types in a
French spreadsheet and raise ``ValueError`` with a French sentence, which the resource reports
with the line and the column.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.core.validators import slug_re
from django.db import models
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import widgets
from import_export.fields import Field

from .exports import yes_no
from .scope import scope
from .search import fold

TRUE_WORDS = {"oui", "o", "vrai", "x", "1", "yes", "y", "true"}
FALSE_WORDS = {"non", "n", "faux", "0", "no", "false", ""}
LIST_SEPARATORS = re.compile(r"\s*[,;|]\s*")


def text_of(value) -> str:
    """A cell as text: a whole number a spreadsheet stored as a number loses its ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return text_of(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


def is_number(value) -> bool:
    """Whether a cell holds what a spreadsheet stored as a number (not a yes/no)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


class CodeWidget(TextWidget):
    """Digits kept as text (a SIREN, an INSEE code): the leading zeros a spreadsheet dropped
    from a number come back, and spaces go ("123 456 789")."""

    def __init__(self, width: int):
        super().__init__()
        self.width = width

    def clean(self, value, row=None, **kwargs):
        if is_number(value):
            return text_of(value).zfill(self.width)
        return "".join(text_of(value).split())


class PhoneWidget(TextWidget):
    """A phone number. A spreadsheet that took « 06 12 34 56 78 » typed without spaces for a
    number dropped its first 0 (a French number has ten digits: nine are left), in an XLSX
    cell and in the CSV it saves: the 0 comes back. Another number cell is refused: its « + »
    or its zeros may be lost too."""

    def clean(self, value, row=None, **kwargs):
        text = text_of(value)
        if re.fullmatch(r"[1-9][0-9]{8}", text):
            return "0" + text
        if is_number(value):
            raise ValueError(
                _(
                    "« %(value)s » : le tableur a pris ce numéro pour un nombre. Écrivez-le "
                    "comme du texte (par exemple 01 23 45 67 89 ou +33 1 23 45 67 89)."
                )
                % {"value": text}
            )
        return text


class NumberWidget(widgets.Widget):
    """A number with a decimal point or comma; exported as a number (the CSV format writes
    the decimal comma)."""

    def __init__(self, integer: bool = False):
        super().__init__()
        self.integer = integer

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        if is_number(value):
            number = value
        else:
            text = re.sub(r"[\s\u00a0\u202f]", "", str(value)).replace(",", ".")
            try:
                number = float(text)
            except ValueError:
                raise ValueError(
                    _("« %(value)s » n'est pas un nombre.") % {"value": value}
                ) from None
        if self.integer:
            if float(number) != int(number):
                raise ValueError(_("« %(value)s » n'est pas un nombre entier.") % {"value": value})
            return int(number)
        return float(number)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class BooleanWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        word = fold(text_of(value))
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(_("« %(value)s » : écrivez « oui » ou « non ».") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return yes_no(bool(value))


class DateWidget(widgets.Widget):
    """A date as a spreadsheet stores it, as ISO (2014-09-19) or as French write it
    (19/09/2014)."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = text_of(value)
        if not text:
            return None
        for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(
            _("« %(value)s » n'est pas une date : écrivez-la 19/09/2014 ou 2014-09-19.")
            % {"value": value}
        )

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class ChoiceWidget(widgets.Widget):
    """One of a model field's choices, by its code or its label (French or the page's
    language); exported by its label."""

    def __init__(self, choices: type[models.Choices]):
        super().__init__()
        self.choices = choices
        self.tables: dict[str, dict[str, str]] = {}

    def lookup(self) -> dict[str, str]:
        language = translation.get_language() or "fr"
        if language not in self.tables:
            table = {fold(choice.value): choice.value for choice in self.choices}
            for each in ("fr", language):
                with translation.override(each):
                    table.update({fold(choice.label): choice.value for choice in self.choices})
            self.tables[language] = table
        return self.tables[language]

    def allowed(self) -> list[str]:
        return [str(choice.label) for choice in self.choices]

    def clean(self, value, row=None, **kwargs):
        text = text_of(value)
        if not text:
            return ""
        try:
            return self.lookup()[fold(text)]
        except KeyError:
            raise ValueError(
                _("« %(value)s » n'est pas une valeur permise (valeurs permises : %(allowed)s).")
                % {"value": text, "allowed": ", ".join(self.allowed())}
            ) from None

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        return str(self.choices(value).label)


class KeyedWidget(widgets.ForeignKeyWidget):
    """A related row by one of its natural keys (``keys``: fields compared without accents nor
    case), exported by ``label``. Small tables (regions, sectors, calls) are read once per
    import; others (poles, organisations) one query per new value, then remembered.

    ``scoped``: only the rows the importing account sees (``ptce_site.scope``) are found, the
    others answer as rows that do not exist (a regional curator's file must not tell which
    poles, unpublished ones too, other regions hold). Reference data (regions) is public and
    found whole: a row placed in another region is refused as such by the resource."""

    def __init__(
        self, model, keys, label: str, *, preload: bool = True, describe=None, scoped=False
    ):
        super().__init__(model, field=label)
        self.keys, self.label, self.preload, self.scoped = keys, label, preload, scoped
        self.describe = describe or model._meta.verbose_name
        self.cache: dict[str, models.Model | None] = {}  # by the text as typed
        self.by_key: dict[str, models.Model] | None = None  # preloaded, by folded key
        self.user = None

    def reset(self, user=None) -> None:
        """Before each file: nothing remembered; ``user`` is the importing account."""
        self.cache.clear()
        self.by_key = None
        self.user = user

    def rows(self) -> models.QuerySet:
        """The rows a cell may name."""
        rows = self.model._default_manager.all()
        return scope().visible(rows, self.user) if self.scoped else rows

    def find(self, text: str):
        if text not in self.cache:
            self.cache[text] = self.lookup(text)
        return self.cache[text]

    def lookup(self, text: str):
        # The reference data's French names (``name`` reads the page's language's,
        # django-modeltranslation): the files keep French, whatever the curator's language.
        with translation.override(settings.LANGUAGE_CODE):
            return self._lookup(text)

    def _lookup(self, text: str):
        if self.preload:
            if self.by_key is None:
                self.by_key = {}
                for obj in self.rows():
                    for key in self.keys:
                        known = key(obj) if callable(key) else getattr(obj, key)
                        self.by_key.setdefault(fold(known), obj)
            return self.by_key.get(fold(text))
        return self._rows_named({text})[text]

    def _rows_named(self, texts: set[str]) -> dict[str, models.Model | None]:
        """The row each text names by an exact key (identifiers, SIREN), or as an identifier
        typed in capitals (``identifier_reader``'s rule): the exact one first, in one query for
        all the texts."""
        keys = [key for key in self.keys if isinstance(key, str)]
        candidates = self.looked_up(texts)
        query = models.Q()
        for key in keys:
            query |= models.Q(**{f"{key}__in": candidates})
        by_value = defaultdict(list)  # in the query's order (the model's)
        for obj in self.rows().filter(query):
            for key in keys:
                by_value[getattr(obj, key)].append(obj)
        named = {}
        for text in texts:
            exact = by_value.get(text, [])
            named[text] = (exact or by_value.get(text.lower()) or [None])[0]
        return named

    def key_text(self, value) -> str:
        """The text a cell names its row by (``clean`` and ``warm`` read it)."""
        return text_of(value)

    @staticmethod
    def looked_up(texts: set[str]) -> set[str]:
        """The key values ``texts`` are looked up by (``_rows_named``): each as typed and in
        lower case; a resource that preloads the rows its keys name reads the same."""
        return texts | {text.lower() for text in texts}

    def warm(self, values) -> None:
        """The rows the cells ``values`` name found in one query and remembered, as ``find``
        would find them one by one (a file of 40 memberships read 40 organisations in 40
        queries while it was checked); nothing for a table read whole (``preload``)."""
        if self.preload:
            return
        texts = {self.key_text(value) for value in values} - {""} - self.cache.keys()
        if texts:
            self.cache.update(self._rows_named(texts))

    def clean(self, value, row=None, **kwargs):
        text = self.key_text(value)
        if not text:
            return None
        found = self.find(text)
        if found is None:
            raise ValueError(
                _("« %(value)s » : %(what)s introuvable dans le registre.")
                % {"value": text, "what": self.describe}
            )
        return found

    def render(self, value, obj=None, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return "" if value is None else getattr(value, self.label)


class KeyedManyWidget(widgets.ManyToManyWidget):
    """Several related rows in one cell, separated by commas (or ``;``, ``|``), each found
    like ``KeyedWidget``'s; exported by ``label``, joined by ", "."""

    def __init__(self, model, keys, label: str, describe=None):
        super().__init__(model, separator=", ", field=label)
        self.one = KeyedWidget(model, keys, label, describe=describe)

    def reset(self, user=None) -> None:
        self.one.reset(user)

    def clean(self, value, row=None, **kwargs):
        text = text_of(value)
        items = [item for item in LIST_SEPARATORS.split(text) if item] if text else []
        return [self.one.clean(item) for item in items]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        with translation.override(settings.LANGUAGE_CODE):
            return ", ".join(str(getattr(item, self.one.label)) for item in value.all())


def warm_keys(fields, rows: list[dict]) -> None:
    """The rows that the key columns ``fields`` of the file's ``rows`` name, found in one
    query per column (``KeyedWidget.warm``) before the rows are read one by one."""
    for field in fields:
        if isinstance(field.widget, KeyedWidget):
            field.widget.warm(row.get(str(field.column_name)) for row in rows)


def looked_up_keys(field: Field, rows) -> set[str]:
    """The values the ``KeyedWidget`` column ``field``'s cells are looked up by, for a
    resource's ``preload`` to read the rows the widget will find."""
    texts = {field.widget.key_text(row.get(str(field.column_name))) for row in rows}
    return field.widget.looked_up(texts)


def cell_key(field: Field, row: dict):
    """A key cell as what it names (a related row's key, a choice's code), so that two rows
    naming one thing differently (an organisation by its SIREN and by its identifier, a call by
    its identifier and by its title) are one key; its folded text when it names nothing (the
    row's error says why)."""
    text = row.get(str(field.column_name))
    try:
        value = field.widget.clean(text, row=row)
    except ValueError:
        return fold(text_of(text))
    return value.pk if isinstance(value, models.Model) else value


def identifier_reader(model, texts) -> Callable[[str], str]:
    """How a file's identifier (slug) cells read: as the row they name spells it, whatever the
    case typed (« POLE-SUD » names « pole-sud »: an exact lookup took it for a new row, and
    imported a second pole), else in lower case, as the site makes them; a text that is no
    identifier as typed (the model refuses it). One query for the file's ``texts``."""
    lowered = {text.lower() for text in texts if text}
    known = dict(
        model._default_manager.annotate(lower_slug=Lower("slug"))
        .filter(lower_slug__in=lowered)
        .values_list("lower_slug", "slug")
    )

    def read(text: str) -> str:
        if not slug_re.match(text):
            return text
        return known.get(text.lower(), text.lower())

    return read


def text_field(attribute: str, column) -> Field:
    """A column of plain text (``column``: its French header)."""
    return Field(attribute=attribute, column_name=column, widget=TextWidget())
