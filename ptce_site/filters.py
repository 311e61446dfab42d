"""Pieces shared by the site's FilterSets: free-text search input, slugs in URLs, and a base
FilterSet that says which filters are in force (chips) and which were not understood."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from functools import partial

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.formats import localize, number_format
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField, ModelChoiceIterator

from .cache import dont_store_this_page
from .typography import quoted

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
# Control characters (C0 and C1, NUL included) are dropped from searches.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def search_terms(query: str) -> list[str]:
    """Words of a query, at most MAX_TERMS, each of two characters or more."""
    words = [word.strip("\"'«»,;.:!?()") for word in query.split()]
    return [word for word in words if len(word) >= 2][:MAX_TERMS]


def every_term(query: str, condition: Callable[[str], Q]) -> Q | None:
    """Rows where every word of ``query`` meets ``condition(word)``, in any order; None when
    the query holds no word to search for (nothing to filter)."""
    terms = search_terms(query)
    if not terms:
        return None
    combined = Q()
    for term in terms:
        combined &= condition(term)
    return combined


def clean_query(value: str) -> str:
    return " ".join(_CONTROL.sub(" ", value).split())[:MAX_QUERY_LENGTH]


class QueryField(forms.CharField):
    """Free text: control characters dropped, spaces collapsed, length limited."""

    def to_python(self, value):
        cleaned = super().to_python(value)
        cleaned = clean_query(cleaned) if cleaned else cleaned
        if value and cleaned != value:
            # Page cache: a query written otherwise (spaces, control characters, cut) gives
            # the page of the clean one; served, not stored (ptce_site/cache.py).
            dont_store_this_page()
        return cleaned


class QueryFilter(django_filters.CharFilter):
    field_class = QueryField


_SELECT_TEMPLATES = (forms.Select.template_name, forms.Select.option_template_name)


class CountedSelect(forms.Select):
    """A select whose options say how many results each would give (« Grand Est (12) »,
    read by screen readers too, being the option's text) and are disabled when they would
    give none, except the chosen one. Until ``ExplainedFilterSet.show_counts`` gives it
    ``counts`` (option value → number), it is a plain select."""

    # The form's note saying why an option is disabled (``includes/filter_panel.html``).
    NOTE_ID = "counts-note"

    counts: dict[str, int] | None = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if self.counts is not None:
            context["widget"]["attrs"]["aria-describedby"] = self.NOTE_ID
        return context

    def _counted(self, value, label, selected: bool) -> tuple[str, bool]:
        """An option's text with its number of results, and whether it is disabled."""
        if self.counts is None or value in (None, ""):
            return label, False  # the empty choice ("Toutes les régions") removes the filter
        count = self.counts.get(str(value), 0)
        # French grouping from 1 000 on (« 1 234 »); below it, the digits alone.
        shown = str(count) if 0 <= count < 1000 else number_format(count, force_grouping=True)
        return f"{label} ({shown})", not count and not selected

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["label"], disabled = self._counted(value, label, selected)
        if disabled:
            option["attrs"]["disabled"] = True
        return option

    def render(self, name, value, attrs=None, renderer=None):
        """The HTML of Django's ``select.html`` and ``select_option.html``, byte for byte,
        written in one pass from the choices: through the templates, the directory's ~170
        options cost about 20 ms a page (two template renders per option); through the
        widget's context (``optgroups``, ``create_option``: a dictionary per option), 3 ms;
        this about 1 ms."""
        if (self.template_name, self.option_template_name) != _SELECT_TEMPLATES:
            return super().render(name, value, attrs, renderer)  # other templates: theirs
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        if self.counts is not None:
            attrs["aria-describedby"] = self.NOTE_ID
        parts = [f'<select name="{_text(name)}"{_attributes(attrs)}>']
        for group_name, options in self._groups(self.format_value(value)):
            if group_name:
                parts.append(f'\n  <optgroup label="{_text(group_name)}">')
            for option_value, label, selected in options:
                label, disabled = self._counted(option_value, label, selected)
                parts.append(
                    f'\n  <option value="{_text(str(option_value))}"'
                    f'{" selected" if selected else ""}{" disabled" if disabled else ""}>'
                    f"{_text(label)}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")  # stripped, as the form renderer strips its output
        return mark_safe("".join(parts))

    def _groups(self, values: list[str]) -> Iterator[tuple[object, list[tuple]]]:
        """Django's ``ChoiceWidget.optgroups`` without an option's dictionary: (group name or
        None, [(value, label, selected)]) for each choice or group of choices."""
        has_selected = False
        for option_value, option_label in self.choices:
            if option_value is None:
                option_value = ""
            if isinstance(option_label, (list, tuple)):
                group_name, choices = option_value, option_label
            else:
                group_name, choices = None, [(option_value, option_label)]
            options = []
            for value, label in choices:
                selected = (
                    not has_selected or self.allow_multiple_selected
                ) and str(value) in values
                has_selected |= selected
                options.append((value, label, selected))
            yield group_name, options


def _text(value) -> str:
    """A value as ``{{ value }}`` writes it in a template (localized, escaped)."""
    if type(value) is str:  # most of them (names, values): nothing to localize, not safe yet
        return html.escape(value)  # as Django's ``escape``, without its lazy wrapper
    return conditional_escape(str(localize(value)))


def _attributes(attrs: dict) -> str:
    """Django's ``django/forms/widgets/attrs.html``: False leaves an attribute out, True
    writes its name alone."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class _ListedChoices(ModelChoiceIterator):
    """The options of a model's select read with one plain query. Django's own reading
    (``QuerySet.iterator()``) opens a server-side cursor on PostgreSQL: three round trips
    (DECLARE, FETCH, CLOSE) for a dozen rows, per select and per page. The rows stay on the
    field (``_SlugChoiceField.rows``), a copy made for each form."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for instance in self.field.rows():
            yield self.choice(instance)


class _SlugChoiceField(ModelChoiceField):
    """A model's select whose rows are read once per form, for its options and for the
    value chosen: Django's field reads the chosen row with a query of its own (a filtered
    directory page read each of its selects twice)."""

    iterator = _ListedChoices
    _rows: list | None = None
    # How the rows are read: set by the form to its FilterSet's ``rows_of`` (``_FilterForm``).
    read_rows: Callable[[QuerySet], list] = list

    def __deepcopy__(self, memo):
        field = super().__deepcopy__(memo)
        field._rows = None  # each form reads its own
        return field

    def rows(self) -> list:
        if self._rows is None:
            self._rows = self.read_rows(self.queryset)
        return self._rows

    def to_python(self, value):
        if value in self.empty_values or (self.null_label is not None and value == self.null_value):
            return super().to_python(value)
        key = self.to_field_name or "pk"
        if isinstance(value, self.queryset.model):
            value = getattr(value, key)
        for row in self.rows():
            if str(getattr(row, key)) == str(value):
                return row
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class SlugChoiceFilter(django_filters.ModelChoiceFilter):
    """A model chosen by its slug in the URL (``?region=grand-est``). Give each one an
    ``empty_label`` that agrees with its label (« Toutes les régions »)."""

    field_class = _SlugChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("empty_label", _("Sans filtre"))
        super().__init__(*args, **kwargs)


class _FilterForm:
    """The form of an ``ExplainedFilterSet``: its model selects read their rows through the
    FilterSet's ``rows_of``; and, for the page cache, a page built with values its filters
    ignored (an invalid value, an unknown sort) is served, not stored (ptce_site/cache.py):
    any URL could carry such junk."""

    rows_of: Callable[[str, QuerySet], list]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, _SlugChoiceField):
                field.read_rows = partial(self.rows_of, name)

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self._errors:
            dont_store_this_page()


class ExplainedFilterSet(django_filters.FilterSet):
    """A FilterSet whose bad values are ignored, and said so, instead of failing the page.

    django-filter leaves a value the form cannot clean out of ``cleaned_data``: the other
    filters still apply. ``active_filters()`` gives the chips that remove one filter each,
    ``ignored_filters()`` the filters that were dropped, with the form's message.
    """

    # Parameters that are settings of the list, not filters: no chip for them (``exact``: the
    # search's words as typed, without correction).
    NOT_CHIPS = frozenset({"sort", "exact"})
    # Settings removed with a filter's chip: the exact words go with the search.
    GOES_WITH = {"q": ("exact",)}
    # Whether some options show their number of results (``show_counts``).
    counts_shown = False

    def get_form_class(self):
        form_class = super().get_form_class()
        # Page cache: a form that says when it ignored a value (see _FilterForm).
        attributes = {"rows_of": staticmethod(self.rows_of)}
        return type(form_class.__name__, (_FilterForm, form_class), attributes)

    def rows_of(self, name: str, queryset: QuerySet) -> list:
        """The rows of the model select ``name``, its options (read once per form)."""
        return list(queryset)

    def show_counts(self, counts: dict[str, dict[str, int]]) -> None:
        """Show beside each option of these filters (``CountedSelect``) its number of
        results: ``counts`` maps a filter's name to its options' values and numbers."""
        for name, by_value in counts.items():
            widget = self.form.fields[name].widget
            if isinstance(widget, CountedSelect):
                widget.counts = by_value
                self.counts_shown = True

    def cleaned(self, name: str):
        """A filter's cleaned value, or None when absent or not understood."""
        if not self.is_bound:
            return None
        self.form.is_valid()
        return self.form.cleaned_data.get(name)

    @property
    def search_query(self) -> str:
        return self.cleaned("q") or ""

    def active_filters(self) -> list[dict]:
        """The filters in force, each with the query string that removes it (chips)."""
        if not self.is_bound:
            return []
        self.form.is_valid()
        chips = []
        for name, value in self.form.cleaned_data.items():
            if name in self.NOT_CHIPS or value in (None, "", []):
                continue
            field = self.form.fields[name]
            if isinstance(field, forms.ModelChoiceField):
                shown = str(value)
            elif hasattr(field, "choices"):
                shown = str(dict(field.choices).get(value, value))
            else:
                shown = quoted(value)
            remaining = self.data.copy()
            for removed in (name, "page", *self.GOES_WITH.get(name, ())):
                remaining.pop(removed, None)
            chips.append(
                {"name": name, "label": field.label, "value": shown, "query": remaining.urlencode()}
            )
        return chips

    def refused(self) -> dict[str, list[str]]:
        """The form's messages for each filter whose value was not understood, by parameter
        name: what the directory ignores and says, and what the open data refuses (a 400)."""
        if not self.is_bound or self.form.is_valid():
            return {}
        # Django's messages repeat the value refused: its control characters (a NUL) are not.
        return {
            name: [_CONTROL.sub("", str(message)) for message in errors]
            for name, errors in self.form.errors.items()
            if name in self.form.fields
        }

    def ignored_filters(self) -> list[dict]:
        """Filters whose value was not understood: ignored, and said so."""
        return [
            {"label": self.form.fields[name].label, "messages": messages}
            for name, messages in self.refused().items()
        ]

    def understood_query(self) -> QueryDict:
        """The query string without the filters whose value was not understood: what a page
        that ignored them asks of the open data, which refuses them (``poles/registry/api.py``)."""
        query = self.data.copy() if self.is_bound else QueryDict(mutable=True)
        for name in self.refused():
            query.pop(name, None)
        return query
