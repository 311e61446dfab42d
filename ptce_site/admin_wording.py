"""The admin's words that agree with the model they name, in French: « Supprimer les
organisations sélectionnées », « Choisissez le pôle à modifier », « Nouvelle région », « Ajouter
un événement », « Modification de l'organisation ». Django writes « Sélectionnez l'objet pôle à
changer », « Ajout de pôle », « Ajouter pôle », « Modification de pôle » and « sélectionné(e)s »
for every model; its English stays as it is.

Each registered model's grammatical gender is declared once here (``tests/test_wording.py``
checks that every registered model has one); the article's elision (« l'objectif ») follows
from the name's first letter; a name that is plural in itself (« indicateurs annuels ») is
declared too.
"""

from __future__ import annotations

import json

from django.contrib.admin import helpers
from django.contrib.admin.options import ActionLocation
from django.utils.translation import gettext, gettext_lazy

FEMININE_MODELS = frozenset({
    "axes.accessattempt", "axes.accesslog", "calls.application", "calls.milestone",
    "members.membership", "members.organisation", "poles.claimrequest", "poles.commune",
    "poles.formerregion", "poles.invitation", "poles.poleproposal", "poles.region",
    "poles.charter", "poles.chartersignature",
    "poles.regionalcurator",  # an inline's: « animation régionale »
})
MASCULINE_MODELS = frozenset({
    "auth.group", "auth.user", "axes.accessfailurelog", "calls.call", "poles.objective",
    "poles.event", "poles.pole", "poles.sector", "poles.sourcedocument",
    "poles.yearlyindicators",
})
# Names that are plural in the singular: one row holds a year's indicators.
PLURAL_MODELS = frozenset({"poles.yearlyindicators"})
VOWELS = frozenset("aàâäeéèêëiîïoôöuùûüyœæh")

# Labels that name the selection: (masculine, feminine), chosen by ``agreeing``.
DELETE_SELECTED = (
    gettext_lazy("Supprimer les %(verbose_name_plural)s sélectionnés"),
    gettext_lazy("Supprimer les %(verbose_name_plural)s sélectionnées"),
)
EXPORT_SELECTED = (
    gettext_lazy("Exporter les %(verbose_name_plural)s sélectionnés (CSV, XLSX, ODS)"),
    gettext_lazy("Exporter les %(verbose_name_plural)s sélectionnées (CSV, XLSX, ODS)"),
)

# Labels that name one object, by its name's form (``form_of``): "m", "f", "plural", and,
# where the word before the name changes before a vowel, "vowel" (« l'organisation », any
# gender) or "m_vowel" (« Nouvel événement »); a form not listed takes its gender's label
# (``naming``). The same English for every form, Django's own.
CHOOSE_TO_CHANGE = {
    "m": gettext_lazy("Choisissez le %(name)s à modifier"),
    "f": gettext_lazy("Choisissez la %(name)s à modifier"),
    "vowel": gettext_lazy("Choisissez l'%(name)s à modifier"),
    "plural": gettext_lazy("Choisissez les %(name)s à modifier"),
}
CHOOSE_TO_VIEW = {
    "m": gettext_lazy("Choisissez le %(name)s à consulter"),
    "f": gettext_lazy("Choisissez la %(name)s à consulter"),
    "vowel": gettext_lazy("Choisissez l'%(name)s à consulter"),
    "plural": gettext_lazy("Choisissez les %(name)s à consulter"),
}
NEW = {
    "m": gettext_lazy("Nouveau %(name)s"),
    "f": gettext_lazy("Nouvelle %(name)s"),
    "m_vowel": gettext_lazy("Nouvel %(name)s"),
    "plural": gettext_lazy("Nouveaux %(name)s"),
}
CHANGE = {
    "m": gettext_lazy("Modification du %(name)s"),
    "f": gettext_lazy("Modification de la %(name)s"),
    "vowel": gettext_lazy("Modification de l'%(name)s"),
    "plural": gettext_lazy("Modification des %(name)s"),
}
VIEW = {
    "m": gettext_lazy("Consultation du %(name)s"),
    "f": gettext_lazy("Consultation de la %(name)s"),
    "vowel": gettext_lazy("Consultation de l'%(name)s"),
    "plural": gettext_lazy("Consultation des %(name)s"),
}
ADD = {
    "m": gettext_lazy("Ajouter un %(name)s"),
    "f": gettext_lazy("Ajouter une %(name)s"),
    "plural": gettext_lazy("Ajouter des %(name)s"),
}
# A form saved, then a new one; a row added to an inline.
SAVE_AND_ADD_ANOTHER = {
    "m": gettext_lazy("Enregistrer et en ajouter un autre"),
    "f": gettext_lazy("Enregistrer et en ajouter une autre"),
    "plural": gettext_lazy("Enregistrer et en ajouter d'autres"),
}
ADD_ANOTHER = {
    "m": gettext_lazy("Ajouter un autre %(name)s"),
    "f": gettext_lazy("Ajouter une autre %(name)s"),
    "plural": gettext_lazy("Ajouter d'autres %(name)s"),
}


def agreeing(model, labels: tuple[str, str]) -> str:
    """Of a (masculine, feminine) pair of action labels, the one that agrees with ``model``'s
    name, still to be formatted with it (as Django formats every action's label)."""
    masculine, feminine = labels
    return feminine if model._meta.label_lower in FEMININE_MODELS else masculine


def delete_selected_label(model) -> str:
    """The label of the bulk delete action, agreeing with the model's name."""
    return agreeing(model, DELETE_SELECTED) % {
        "verbose_name_plural": model._meta.verbose_name_plural
    }


def form_of(model, name=None) -> str:
    """The form of ``model``'s name (or of ``name``, another name of its rows: an inline's)
    that its article and adjectives agree with (French)."""
    label = model._meta.label_lower
    if label in PLURAL_MODELS:
        return "plural"
    gender = "f" if label in FEMININE_MODELS else "m"
    name = str(name or model._meta.verbose_name)
    return f"{gender}_vowel" if name[:1].lower() in VOWELS else gender


def naming(model, labels: dict, name=None) -> str:
    """The label of ``labels`` that agrees with ``model``'s name (or ``name``), with it: the
    label of its form, else of any name before a vowel, else of its gender."""
    name = name or model._meta.verbose_name
    form = form_of(model, name)
    gender, _, vowel = form.partition("_")
    label = labels.get(form) or (vowel and labels.get(vowel)) or labels[gender]
    return str(label) % {"name": name}


class AgreeingInlineFormSet(helpers.InlineAdminFormSet):
    """An inline's « Ajouter une autre adhésion » (Django: « Ajouter un objet Adhésion
    supplémentaire »): its script reads the words from this data."""

    def inline_formset_data(self):
        data = json.loads(super().inline_formset_data())
        data["options"]["addText"] = naming(self.formset.model, ADD_ANOTHER, self.opts.verbose_name)
        return json.dumps(data)


class AgreeingWords:
    """Given to every registered ModelAdmin by ``PtceAdminSite.register``: the bulk delete's
    label, the titles and the add button in words that agree. Only Django's own titles are
    replaced: an admin that gives its own (« Demandes de gestion des pôles : 2 en attente »)
    keeps it."""

    def get_action_choices(
        self, request, default_choices=None, action_location=ActionLocation.CHANGE_LIST
    ):
        choices = super().get_action_choices(request, default_choices, action_location)
        return [
            (name, delete_selected_label(self.model) if name == "delete_selected" else label)
            for name, label in choices
        ]

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        changelist.title = self._agreeing_title(
            changelist.title, {"Select %s to change": CHOOSE_TO_CHANGE,
                               "Select %s to view": CHOOSE_TO_VIEW}
        )
        return changelist

    def changelist_view(self, request, extra_context=None):
        words = {"add_label": naming(self.model, ADD)}
        return super().changelist_view(request, {**words, **(extra_context or {})})

    def render_change_form(self, request, context, *args, **kwargs):
        context["title"] = self._agreeing_title(
            context.get("title"), {"Add %s": NEW, "Change %s": CHANGE, "View %s": VIEW}
        )
        # The breadcrumbs' last item (« Nouvelle organisation ») and the submit row's words
        # (templates/admin/change_form.html, submit_line.html).
        context.setdefault("new_title", naming(self.model, NEW))
        context.setdefault("save_and_add_label", naming(self.model, SAVE_AND_ADD_ANOTHER))
        return super().render_change_form(request, context, *args, **kwargs)

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        inline_formsets = super().get_inline_formsets(request, formsets, inline_instances, obj)
        for inline_formset in inline_formsets:
            if type(inline_formset) is helpers.InlineAdminFormSet:
                inline_formset.__class__ = AgreeingInlineFormSet  # the same, but its words
        return inline_formsets

    def _agreeing_title(self, title, replaced: dict):
        """``title`` in words that agree when it is one of Django's (``replaced``: Django's
        message, as in its catalogue, and the labels that stand for it)."""
        for django_message, labels in replaced.items():
            if title == gettext(django_message) % self.model._meta.verbose_name:
                return naming(self.model, labels)
        return title
