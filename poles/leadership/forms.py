"""Forms about who leads a pole: a visitor's claim request, a curator's invitation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ClaimRequest


class ClaimRequestForm(forms.ModelForm):
    """The "Je porte ce pôle" form: who the visitor is in the pole and how to answer them.

    ``website`` is a honeypot: hidden from people (and from assistive technologies), filled in
    by bots that complete every field. A filled honeypot is answered like a success, so that the
    bot learns nothing, and nothing is recorded.
    """

    website = forms.CharField(
        label=_("Ne remplissez pas ce champ"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = ClaimRequest
        fields = ["name", "role", "email", "message"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "message": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "email": _("L'équipe du registre vous répondra à cette adresse."),
            "message": _(
                "Facultatif : ce qui nous aide à vérifier votre lien avec le pôle (structure "
                "porteuse, site web, personne qui peut en témoigner…)."
            ),
        }

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class InviteLeaderForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail du porteur"),
        help_text=_(
            "Le compte est créé s'il n'existe pas, ou repris s'il existe déjà avec cette adresse. "
            "La personne reçoit un lien, utilisable une seule fois, pour choisir son mot de passe."
        ),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )


class RefuseClaimForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Repris tel quel dans l'e-mail envoyé à la personne."),
    )
