"""The pole leaders' form: their pole's public profile, guarded against lost edits."""

from __future__ import annotations

from django import forms
from django.core import signing
from django.db import models
from django.utils.translation import gettext_lazy as _

from ptce_site.forms import KeyedModelMultipleChoiceField

from ...registry.models import Pole
from ..uploads import LogoField, delete_replaced_file

SNAPSHOT_SALT = "poles.profile-snapshot"


def profile_snapshot(pole: Pole, fields: list[str]) -> dict[str, str]:
    """The pole's values for ``fields``, as text (many-to-many as sorted ids)."""
    values = {}
    for name in fields:
        field = Pole._meta.get_field(name)
        if field.many_to_many:
            values[name] = ",".join(
                str(pk) for pk in sorted(getattr(pole, name).values_list("pk", flat=True))
            )
        else:
            value = getattr(pole, field.attname)
            values[name] = "" if value is None else str(value)
    return values


class LogoInput(forms.ClearableFileInput):
    clear_checkbox_label = _("Retirer le logo")
    initial_text = _("Logo actuel")
    input_text = _("Remplacer par")


class PoleProfileForm(forms.ModelForm):
    """What a leader may change. Staff-only fields (published, witness, slug, leaders, call
    outcomes) are not here. ``version`` and ``snapshot`` carry what the editor saw, so that a
    concurrent change is detected and shown instead of being overwritten."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    snapshot = forms.CharField(widget=forms.HiddenInput)
    logo = LogoField(
        label=_("Logo"),
        required=False,
        help_text=_(
            "PNG, JPEG ou WebP, 2 Mo et 4000 × 4000 pixels au plus ; il est réduit à "
            "400 pixels et ses métadonnées sont retirées."
        ),
        widget=LogoInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    class Meta:
        model = Pole
        fields = [
            "summary",
            "description",
            "status",
            "founded_year",
            "sectors",
            "objectives",
            "territory",
            "commune_code",
            "commune_name",
            "latitude",
            "longitude",
            "website",
            "contact_email",
            "contact_phone",
            "logo",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 8}),
            "sectors": forms.CheckboxSelectMultiple,
            "objectives": forms.CheckboxSelectMultiple,
        }
        # A forged id too large for the database is refused like any unknown one.
        field_classes = {
            "sectors": KeyedModelMultipleChoiceField,
            "objectives": KeyedModelMultipleChoiceField,
        }

    PROFILE_FIELDS = Meta.fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version
            self.initial["snapshot"] = self.sign(self.instance)
        self._loaded_logo = self.instance.logo.name or ""

    def save(self, commit: bool = True) -> Pole:
        pole = super().save(commit)
        if commit:
            # A replaced or cleared logo leaves no orphan file (once the save is committed).
            delete_replaced_file(pole.logo.storage, self._loaded_logo, pole.logo.name)
        return pole

    @classmethod
    def sign(cls, pole: Pole) -> str:
        return signing.dumps(profile_snapshot(pole, cls.PROFILE_FIELDS), salt=SNAPSHOT_SALT)

    def clean_snapshot(self) -> dict[str, str]:
        try:
            return signing.loads(self.cleaned_data["snapshot"], salt=SNAPSHOT_SALT)
        except signing.BadSignature:
            raise forms.ValidationError(
                _("Le formulaire a été altéré : rechargez la page et recommencez.")
            ) from None

    def changes_since_opened(self, current: Pole) -> list[dict]:
        """Fields someone else changed since this form was opened: label, then, now."""
        seen = self.cleaned_data["snapshot"]
        now = profile_snapshot(current, self.PROFILE_FIELDS)
        changes = []
        for name in self.PROFILE_FIELDS:
            if seen.get(name) != now[name]:
                field = Pole._meta.get_field(name)
                changes.append({"label": field.verbose_name, "now": _display(current, field)})
        return changes


def _display(pole: Pole, field) -> str:
    if field.many_to_many:
        return ", ".join(str(item) for item in getattr(pole, field.name).all()) or "—"
    if field.choices:
        return str(getattr(pole, f"get_{field.name}_display")()) or "—"
    if isinstance(field, models.FileField):
        return str(_("nouveau logo")) if getattr(pole, field.name) else "—"
    value = getattr(pole, field.name)
    return "—" if value in (None, "") else str(value)


class PoleVersionForm(forms.Form):
    """The pole's version a page was opened at (the members page), to refuse a stale save."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
