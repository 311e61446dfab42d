"""The "Proposer un pôle" form, and the curators' forms to merge or refuse a proposal."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ptce_site.collation import french
from ptce_site.forms import HoneypotMixin, KeyedModelMultipleChoiceField
from ptce_site.validators import clean_single_line, clean_text_block

from ...registry.models import Pole, Sector
from ...territories.communes import place_in_commune
from ...territories.models import Region
from ...territories.validators import is_commune_code
from .models import PoleProposal


class ProposalForm(HoneypotMixin, forms.ModelForm):
    """What a visitor tells of a missing pole, and who they are."""

    sectors = KeyedModelMultipleChoiceField(
        label=_("Secteurs d'activité"),
        queryset=Sector.objects.order_by(french("name")),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consents_to_contact = forms.BooleanField(
        label=_(
            "J'accepte que l'équipe du registre me contacte à cette adresse au sujet de cette "
            "proposition."
        ),
        help_text=_(
            "Indispensable pour confirmer votre adresse et vous répondre ; elle n'est jamais "
            "publiée."
        ),
        error_messages={
            "required": _("Cochez cette case : sans elle, nous ne pouvons pas vous répondre.")
        },
    )

    class Meta:
        model = PoleProposal
        fields = [
            "name",
            "region",
            "commune_code",
            "summary",
            "website",
            "sectors",
            "proposer_name",
            "proposer_role",
            "proposer_email",
            "message",
            "wants_to_lead",
            "consents_to_contact",
        ]
        labels = {
            "name": _("Nom du pôle"),
            "region": _("Région"),
            "commune_code": _("Code INSEE de la commune (facultatif)"),
            "summary": _("Présentation en quelques phrases"),
            "website": _("Site web du pôle"),
            "proposer_name": _("Votre nom et prénom"),
            "proposer_role": _("Votre rôle (facultatif)"),
            "proposer_email": _("Votre adresse e-mail"),
            "message": _("Message à l'équipe du registre (facultatif)"),
            "wants_to_lead": _("Je porte ce pôle et souhaite mettre sa fiche à jour moi-même"),
        }
        help_texts = {
            "commune_code": _(
                "Le code de la commune où le pôle est installé, par exemple 75056 pour "
                "Paris ; il place le pôle sur la carte."
            ),
            "website": _("Une adresse complète, par exemple https://www.exemple.fr."),
            "proposer_role": _("Par exemple « coordinatrice du pôle », « partenaire »."),
            "proposer_email": _(
                "Nous vous envoyons un lien pour la confirmer : l'équipe du registre ne voit "
                "votre proposition qu'ensuite."
            ),
            "wants_to_lead": _(
                "Si le pôle est ajouté, vous recevrez une invitation à gérer sa fiche."
            ),
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "website": forms.URLInput(attrs={"autocomplete": "url"}),
            "proposer_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "proposer_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "message": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.order_by(french("name"))
        self.fields["region"].required = False
        self.add_honeypot()

    def clean_name(self) -> str:
        return clean_single_line(self.cleaned_data["name"])

    def clean_proposer_name(self) -> str:
        return clean_single_line(self.cleaned_data["proposer_name"])

    def clean_proposer_role(self) -> str:
        return clean_single_line(self.cleaned_data["proposer_role"])

    def clean_summary(self) -> str:
        return clean_text_block(self.cleaned_data["summary"])

    def clean_message(self) -> str:
        return clean_text_block(self.cleaned_data["message"])

    def clean(self):
        cleaned_data = super().clean()
        code, region = cleaned_data.get("commune_code"), cleaned_data.get("region")
        if is_commune_code(code):  # else: the format's message
            try:
                commune = place_in_commune(self.instance, code)
            except ValidationError as error:
                self.add_error("commune_code", error)
                return cleaned_data
            if commune is not None and region is not None and commune.region_id != region.pk:
                self.add_error(
                    "commune_code",
                    _("Cette commune est dans la région %(region)s, pas dans la région %(chosen)s.")
                    % {"region": commune.region.name, "chosen": region.name},
                )
            elif commune is not None:
                cleaned_data["region"] = commune.region
        elif region is None and "region" not in self.errors:
            self.add_error("region", _("Indiquez la région du pôle, ou sa commune."))
        return cleaned_data

    def proposal_fields(self) -> dict:
        """The model's fields for ``services.submit_proposal`` (the commune's name included)."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "sectors"}
        data["commune_name"] = self.instance.commune_name
        return data


class MergeProposalForm(forms.Form):
    pole = forms.ModelChoiceField(
        label=_("Pôle existant"),
        queryset=Pole.objects.order_by(french("name")),
        help_text=_("Le pôle que la proposition décrit déjà ; rien de sa fiche ne change."),
    )
    invite = forms.BooleanField(
        label=_("Inviter la personne à porter ce pôle"),
        required=False,
    )

    def __init__(self, *args, poles=None, **kwargs):
        super().__init__(*args, **kwargs)
        if poles is not None:  # those the curator sees
            self.fields["pole"].queryset = poles.order_by(french("name"))


class RefuseProposalForm(forms.Form):
    message = forms.CharField(
        label=_("Message à la personne"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 70}),
        help_text=_("Envoyé tel quel par e-mail ; modifiez-le à votre guise."),
    )

    def clean_message(self) -> str:
        return clean_text_block(self.cleaned_data["message"])
