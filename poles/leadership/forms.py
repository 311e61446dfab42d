"""Forms about who leads a pole: a visitor's claim request, a curator's invitation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ptce_site.forms import HoneypotMixin

from .models import ClaimRequest


class ClaimRequestForm(HoneypotMixin, forms.ModelForm):
    """The "Je porte ce pôle" form: who the visitor is in the pole and how to answer them;
    ``website`` is its honeypot (``ptce_site.forms.HoneypotMixin``)."""

    honeypot_name = "website"

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_honeypot()


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
