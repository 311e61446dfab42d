"""Form pieces shared by the leaders' space and the admin, hardened against forged posts.

Found by ``tests/test_hostile_urls.py`` (Django 6.1):

- ``ModelMultipleChoiceField`` looks the chosen rows up with ``pk IN (…)`` and the raw values:
  ``sectors=99999999999999999999`` is a valid integer but no key, and SQLite refuses it with
  ``OverflowError`` (a 500). ``KeyedModelMultipleChoiceField`` refuses a value that the key's
  own field refuses (type and range) with the field's usual message, before any query.
- An inline formset builds as many forms as its management form says, up to ``absolute_max``
  (2,000 by default): one post of ``…-TOTAL_FORMS=99999999`` kept a worker 25 s on the
  leaders' members page and made a 10 MB answer. ``BoundedInlineFormSet`` accepts the rows the
  object has plus ``new_forms_limit`` new ones in one save, and says so past it (Django's
  "Veuillez soumettre au plus N formulaires.").
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class KeyedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Values that cannot be a key of the queryset's model are refused before the query."""

    def clean(self, value):
        if isinstance(value, (list, tuple)):
            opts = self.queryset.model._meta
            key = opts.get_field(self.to_field_name) if self.to_field_name else opts.pk
            for item in value:
                try:
                    key.run_validators(key.to_python(item))
                except (ValidationError, TypeError, ValueError):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": item},
                    ) from None
        return super().clean(value)


class BoundedInlineFormSet(forms.BaseInlineFormSet):
    """At most the existing rows plus ``new_forms_limit`` forms, whatever the post says.

    The rows are the formset's own queryset, which it reads anyway: no extra query.
    """

    new_forms_limit = 50

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = len(self.get_queryset()) + self.new_forms_limit
        self.max_num = min(self.max_num, limit)
        self.absolute_max = min(self.absolute_max, limit)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if form.instance.pk is not None:
            _give_known_objects(form)
        return form


def _give_known_objects(form) -> None:
    """Hand each autocomplete widget of ``form`` (``ptce_site.admin_site``) the objects its
    row already holds, read with the rows (``select_related``, ``prefetch_related``): an
    inline of 200 rows then costs no query per row to show what each row has chosen."""
    instance = form.instance
    prefetched = getattr(instance, "_prefetched_objects_cache", {})
    for name, field in form.fields.items():
        widget = getattr(field.widget, "widget", field.widget)  # the admin's wrapper
        if not hasattr(widget, "known"):
            continue
        model_field = instance._meta.get_field(name)
        if model_field.many_to_many and name in prefetched:
            objects = list(prefetched[name])
        elif model_field.many_to_one and model_field.is_cached(instance):
            objects = [obj for obj in [getattr(instance, name)] if obj is not None]
        else:
            continue
        widget.known = {str(obj.pk): obj for obj in objects}


class HoneypotMixin:
    """A field hidden from people (and from assistive technologies) that bots, which fill in
    every field, fill in: such a post is answered like a success, so that the bot learns
    nothing, and nothing is recorded. The public forms that send mail use it (claims,
    proposals, contact); ``honeypot_name`` is a name the form has no real field of."""

    honeypot_name = "homepage"

    def add_honeypot(self) -> None:
        self.fields[self.honeypot_name] = forms.CharField(
            label=_("Ne remplissez pas ce champ"),
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get(self.honeypot_name))
