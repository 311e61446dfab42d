"""The leaders' members formset: a pole's memberships, with organisations linked or created."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.http import QueryDict
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from poles.territories.communes import place_in_commune
from ptce_site.collation import french
from ptce_site.forms import BoundedInlineFormSet
from ptce_site.search import name_key

from .models import Membership, Organisation, compact_siren, is_digits, is_siren_shaped

MAX_SUGGESTIONS = 20
# "Nom (SIREN 123456789)" or "Nom (identifiant-d-url)", as the suggestions put it.
_SUFFIX = re.compile(r"\((?:SIREN\s*)?([\w-]+)\)\s*$")


def suggestion_value(organisation: Organisation) -> str:
    """What a chosen suggestion puts in the text input: the name and what tells it apart."""
    key = f"SIREN {organisation.siren}" if organisation.siren else organisation.slug
    return f"{organisation.name} ({key})"


def search_organisations(query: str, poles, limit: int = MAX_SUGGESTIONS):
    """Organisations whose name contains every word of ``query`` (accents and case ignored)
    or whose SIREN starts with its digits, among those the public sees and the members of
    ``poles`` (those the user may edit: not the members of others' unpublished poles): one
    query."""
    condition = Q()
    for word in query.split():
        condition &= Q(name__unaccented__icontains=word)
    if is_digits(digits := compact_siren(query)):
        condition |= Q(siren__startswith=digits)
    visible = ~Q(pk__in=Organisation.objects.hidden().values("pk")) | Q(
        pk__in=Membership.objects.filter(pole__in=poles).values("organisation")
    )
    return (
        Organisation.objects.filter(condition & visible)
        .only("pk", "name", "slug", "siren", "kind", "commune_name")
        .order_by(french("name"), "pk")[:limit]
    )


def same_name(text: str) -> Q:
    """The organisations named ``text``, accents, case and repeated spaces aside: the one test
    of « the same name » (a leader naming an existing one, or creating one already there)."""
    return Q(name__unaccented__iexact=" ".join(text.split()))


def find_organisation(text: str) -> Organisation:
    """The one organisation ``text`` designates: a suggestion's value, an exact name (accents
    and case ignored), a SIREN or an identifier; ``ValidationError`` otherwise."""
    text = " ".join(text.split())
    candidates = Organisation.objects.none()
    if is_siren_shaped(siren := compact_siren(text)):
        candidates = Organisation.objects.filter(siren=siren)
    elif match := _SUFFIX.search(text):
        key = match.group(1)
        field = "siren" if is_digits(key) else "slug"
        candidates = Organisation.objects.filter(**{field: key})
    if not candidates:
        candidates = Organisation.objects.filter(same_name(text) | Q(slug=text))
    found = list(candidates[:2])
    if not found:
        raise ValidationError(
            _(
                "Aucune organisation ne correspond à « %(text)s » : tapez son nom exact ou son "
                "SIREN, choisissez-la dans les suggestions, ou créez-la ci-dessous."
            ),
            code="unknown",
            params={"text": text},
        )
    if len(found) > 1:
        raise ValidationError(
            _(
                "Plusieurs organisations s'appellent « %(text)s » : indiquez son SIREN ou "
                "choisissez-la dans les suggestions."
            ),
            code="ambiguous",
            params={"text": text},
        )
    return found[0]


class OrganisationLookupField(forms.CharField):
    """A text input resolved to an Organisation (see ``find_organisation``)."""

    def prepare_value(self, value):
        if isinstance(value, Organisation):
            return suggestion_value(value)
        return value

    def clean(self, value):
        if isinstance(value, Organisation):  # an existing row: shown, not changeable
            return value
        text = super().clean(value)
        if not text:
            return None
        return find_organisation(text)


class OrganisationCreationForm(forms.ModelForm):
    """A new organisation, created by a leader from the members page."""

    # Spaces allowed ("123 456 789"), removed before the model's checks (Luhn key, length).
    siren = forms.CharField(
        label=_("SIREN"),
        required=False,
        max_length=20,
        help_text=_("9 chiffres, facultatif ; vérifié (clé de contrôle, pas de doublon)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    class Meta:
        model = Organisation
        fields = ["name", "kind", "legal_form", "siren", "commune_code"]
        labels = {"name": _("Nom de la nouvelle organisation")}
        help_texts = {
            "commune_code": _("Code INSEE de la commune du siège (5 caractères), facultatif."),
        }

    def clean_siren(self) -> str:
        siren = compact_siren(self.cleaned_data["siren"] or "")
        if siren and Organisation.objects.filter(siren=siren).exists():
            raise ValidationError(
                _(
                    "Une organisation porte déjà ce numéro SIREN : choisissez-la comme "
                    "organisation existante."
                ),
                code="siren_taken",
            )
        return siren

    def clean(self):
        cleaned_data = super().clean()
        if code := cleaned_data.get("commune_code"):
            try:
                place_in_commune(self.instance, code)  # the commune's name and region
            except ValidationError as error:
                self.add_error("commune_code", error)
        name = cleaned_data.get("name")
        if name and not cleaned_data.get("siren") and "siren" not in self.errors:
            # Without a SIREN to tell it apart, the same name is the same organisation: a
            # second one would split its poles (and the network of poles) in two.
            if Organisation.objects.filter(same_name(name)).exists():
                self.add_error("name", ValidationError(
                    _(
                        "Une organisation s'appelle déjà « %(name)s » : choisissez-la comme "
                        "organisation existante, ou indiquez le SIREN de la nouvelle si c'en "
                        "est une autre."
                    ),
                    code="name_taken",
                    params={"name": name},
                ))
        return cleaned_data

    def key(self) -> str:
        """The new organisation's name as two rows typing it are the same one (``same_name``'s
        test, made in Python on rows not yet saved)."""
        return name_key(self.cleaned_data["name"])

    def save_for(self, user) -> Organisation:
        organisation = self.save(commit=False)
        organisation.created_by = user
        organisation.slug = unique_slug(organisation.name)
        organisation.save()
        return organisation


def unique_slug(name: str) -> str:
    base = slugify(name)[:190] or "organisation"
    taken = set(Organisation.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


class MembershipForm(forms.ModelForm):
    """One membership. An existing row shows its organisation as text; a new row links an
    existing organisation (``organisation``) or creates one (the nested ``new`` form)."""

    organisation = OrganisationLookupField(
        label=_("Organisation existante"),
        required=False,
        help_text=_("Son nom exact ou son SIREN ; des suggestions s'affichent en tapant."),
    )

    class Meta:
        model = Membership
        fields = ["role", "joined_on", "left_on"]
        widgets = {
            "joined_on": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "left_on": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.is_existing = self.instance.pk is not None
        if self.is_existing:
            field = self.fields["organisation"]
            field.disabled = True
            self.initial["organisation"] = self.instance.organisation
            self.new = None
        else:
            self.fields["organisation"].widget.attrs.update(
                {
                    "list": f"{self.auto_id % self.add_prefix('organisation')}-suggestions",
                    "autocomplete": "off",
                    "class": "organisation-lookup",
                }
            )
            self.new = OrganisationCreationForm(
                self.data if self.is_bound else None,
                prefix=self.add_prefix("new"),
                empty_permitted=True,
                use_required_attribute=False,
            )

    def has_changed(self) -> bool:
        return super().has_changed() or bool(self.new is not None and self.new.has_changed())

    def clean(self):
        cleaned_data = super().clean()
        if self.is_existing:
            return cleaned_data
        organisation = cleaned_data.get("organisation")
        creating = self.new.has_changed()
        if organisation is not None and creating:
            raise ValidationError(
                _("Choisissez une organisation existante ou créez-en une, pas les deux."),
                code="both",
            )
        if organisation is None and not creating:
            if "organisation" not in self.errors:
                self.add_error(
                    "organisation",
                    _("Choisissez une organisation existante ou créez-en une nouvelle."),
                )
            return cleaned_data
        if creating:
            self.new.empty_permitted = False
            if not self.new.is_valid():
                raise ValidationError(
                    _("Corrigez la nouvelle organisation ci-dessous."), code="new_invalid"
                )
        else:
            self.instance.organisation = organisation
        return cleaned_data

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.instance.organisation_id is None:  # a new organisation: nothing to collide with
            exclude.add("organisation")
        elif self.has_changed():
            # Not a field of Meta, so Django leaves it out, and with it the constraint « one
            # role once per organisation and pole »: the database would refuse the save instead
            # of the row saying why. Unchanged rows have nothing new to check.
            exclude.discard("organisation")
        return exclude

    # The row above that creates the same new organisation, if any (``same_new_organisations``).
    same_as: MembershipForm | None = None

    def creates(self) -> bool:
        return self.new is not None and self.new.has_changed() and self.new.is_valid()

    def save(self, commit: bool = True) -> Membership:
        if self.same_as is not None:  # saved before this row: its organisation exists
            self.instance.organisation = self.same_as.instance.organisation
        elif self.creates():
            self.instance.organisation = self.new.save_for(self.user)
        return super().save(commit)


class BaseMembershipFormSet(BoundedInlineFormSet):
    """The pole's memberships only: an id that is not one of them is refused. At most
    ``new_forms_limit`` new rows in one save (a forged ``members-TOTAL_FORMS`` built up to
    2,000 forms, 25 s)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Django accepts any membership's id here; only this pole's are acceptable.
        form.fields[self._pk_field.name].queryset = self.get_queryset()
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Supprimer cette ligne (saisie erronée)")

    def clean(self):
        super().clean()
        creating = [
            form for form in self.forms if form.creates() and not self._should_delete_form(form)
        ]
        same_new_organisations(creating)


def same_new_organisations(forms: list[MembershipForm]) -> None:
    """Rows creating an organisation of the same name create it once (one organisation with
    two roles), unless their SIRENs differ; the same role twice, or two names sharing a SIREN,
    are refused."""
    first_by_name: dict[str, MembershipForm] = {}
    name_by_siren: dict[str, str] = {}
    for form in forms:
        key, siren = form.new.key(), form.new.cleaned_data["siren"]
        first = first_by_name.setdefault(key, form)
        if first is not form:
            if first.new.cleaned_data["siren"] != siren:
                raise ValidationError(
                    _("« %(name)s » est créée deux fois avec deux SIREN différents : corrigez "
                      "l'une des lignes."),
                    code="siren_differs",
                    params={"name": form.new.cleaned_data["name"]},
                )
            if first.cleaned_data.get("role") == form.cleaned_data.get("role"):
                raise ValidationError(
                    _("« %(name)s » a deux lignes avec le même rôle : supprimez l'une d'elles."),
                    code="same_role_twice",
                    params={"name": form.new.cleaned_data["name"]},
                )
            form.same_as = first
        elif siren and name_by_siren.setdefault(siren, key) != key:
            raise ValidationError(
                _("Deux nouvelles organisations portent le même SIREN %(siren)s : corrigez "
                  "l'une des lignes."),
                code="siren_twice",
                params={"siren": siren},
            )


MembershipFormSet = forms.inlineformset_factory(
    # The registry's Pole, reached through the foreign key: organisations sit below the
    # registry and do not import it (tests/test_architecture.py).
    Membership._meta.get_field("pole").related_model,
    Membership,
    form=MembershipForm,
    formset=BaseMembershipFormSet,
    fields=["role", "joined_on", "left_on"],
    extra=2,
    can_delete=True,
)


PREFIX = "members"
_ROW_KEY = re.compile(rf"^{PREFIX}-(\d+)-(.+)$")


def without_deleted_rows(data: QueryDict, pole) -> QueryDict:
    """A stale members page's post without the rows of memberships deleted since it was
    opened, the others renumbered: shown again, and saved again, with the rest of the input."""
    rows: dict[int, dict[str, list]] = {}
    for key in data:
        if match := _ROW_KEY.match(key):
            rows.setdefault(int(match[1]), {})[match[2]] = data.getlist(key)
    current = {str(pk) for pk in pole.memberships.values_list("pk", flat=True)}
    deleted = {index for index, row in rows.items() if row.get("id", [""])[0] not in {"", *current}}
    counts = [data.get(f"{PREFIX}-{name}_FORMS", "") for name in ("TOTAL", "INITIAL")]
    if not deleted or not all(is_digits(count) for count in counts):
        return data  # nothing deleted, or a forged page the formset refuses anyway
    kept = data.copy()
    for key in data:
        if _ROW_KEY.match(key):
            del kept[key]
    for index, row in rows.items():
        if index not in deleted:
            shifted = index - sum(gone < index for gone in deleted)
            for name, values in row.items():
                kept.setlist(f"{PREFIX}-{shifted}-{name}", values)
    total, initial = (int(count) for count in counts)
    kept[f"{PREFIX}-TOTAL_FORMS"] = str(total - len(deleted))
    kept[f"{PREFIX}-INITIAL_FORMS"] = str(initial - sum(gone < initial for gone in deleted))
    return kept


def memberships_formset(pole, user, data=None) -> BaseMembershipFormSet:
    # Current memberships first, then the ended ones.
    queryset = pole.memberships.select_related("organisation").order_by(
        F("left_on").desc(nulls_first=True), french("organisation__name"), "pk"
    )
    return MembershipFormSet(
        data, instance=pole, queryset=queryset, form_kwargs={"user": user}, prefix=PREFIX
    )
