"""The pole leaders' space (``/espace/``): their poles, their profile, members and history."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from members.forms import (
    memberships_formset,
    search_organisations,
    suggestion_value,
    without_deleted_rows,
)
from ptce_site.admin_scope import scoped_form
from ptce_site.collation import french

from ...registry.models import Pole
from ...registry.provenance import changes_content, mark_content_changed
from .. import locking
from ..history import recent_changes
from ..notifications import notify_leader_edit
from .completeness import missing_items, with_completeness
from .forms import PoleProfileForm, PoleVersionForm

HISTORY_LENGTH = 20


def get_pole_for_leader(request: HttpRequest, slug: str, *, for_update: bool = False) -> Pole:
    """The pole ``slug`` if the user may edit it; a 404 otherwise (its existence not leaked)."""
    poles = Pole.objects.editable_by(request.user)
    if for_update:
        poles = locking.locked(poles)
    try:
        return poles.get(slug=slug)
    except Pole.DoesNotExist:
        raise Http404(_("Aucun pôle ne correspond.")) from None


def profile_form_class(request: HttpRequest, pole: Pole) -> type[PoleProfileForm]:
    """The profile form; kept within a regional curator's regions when they edit a pole they
    do not lead (moving it out of them is refused, as in the admin). A leader may move theirs."""
    if pole.is_led_by(request.user):
        return PoleProfileForm
    return scoped_form(PoleProfileForm, request.user)


def save_if_current(
    request: HttpRequest, slug: str, version: int, save: Callable[[Pole], None]
) -> tuple[bool, Pole]:
    """Run ``save(pole)`` on the locked pole if nobody saved it since ``version``
    (``poles.leadership.locking``).

    Returns whether it saved, and the pole as it is now. The edit is reported to staff once
    committed (``poles.leadership.notifications``).
    """
    started = timezone.now()
    with transaction.atomic():
        current = get_pole_for_leader(request, slug, for_update=True)
        if locking.is_stale(version, current.version):
            return False, current
        save(current)
        notify_leader_edit(request, current, since=started)
    return True, current


def changes_since_version(pole: Pole, version: int) -> list:
    """What was saved on ``pole`` after the editor opened it at ``version``."""
    opened = (
        Pole.history.filter(id=pole.pk, version=version)
        .order_by("-history_id")
        .values_list("history_date", flat=True)
        .first()
    )
    if opened is None:
        return recent_changes(pole, limit=5)
    return recent_changes(pole, limit=HISTORY_LENGTH, since=opened)


STALE_MESSAGE = _(
    "Quelqu'un d'autre a modifié cette fiche pendant que vous l'éditiez. Vos saisies sont "
    "conservées ci-dessous ; vérifiez les changements puis enregistrez à nouveau pour les "
    "remplacer."
)


@require_safe
@login_required
def my_poles(request: HttpRequest) -> HttpResponse:
    poles = list(
        with_completeness(Pole.objects.led_by(request.user).with_member_count())
        .select_related("region")
        .order_by(french("name"))
    )
    for pole in poles:
        pole.missing = missing_items(pole)
    return render(request, "space/my_poles.html", {"poles": poles})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def edit_pole(request: HttpRequest, slug: str) -> HttpResponse:
    pole = get_pole_for_leader(request, slug)
    context = {"pole": pole, "section": "profile"}
    # The same form shown and posted: a regional curator is offered only their regions.
    form_class = profile_form_class(request, pole)
    if request.method != "POST":
        form = form_class(instance=pole)
        return render(request, "space/pole_form.html", {**context, "form": form})

    form = form_class(request.POST, request.FILES, instance=pole)
    if form.is_valid():
        def save(current: Pole) -> None:
            form.save()
            if changes_content(form.changed_data):
                mark_content_changed(current)

        saved, current = save_if_current(request, slug, form.cleaned_data["version"], save)
        if saved:
            messages.success(
                request, _("La fiche du pôle est enregistrée ; la page publique est à jour.")
            )
            return redirect("space:edit-pole", slug=pole.slug)
        conflict = form.changes_since_opened(current)
        # Someone saved in between: keep what this editor typed, show what changed, and let
        # a second save knowingly replace it.
        data = locking.reopened(request.POST, "version", current.version)
        data["snapshot"] = PoleProfileForm.sign(current)
        form = form_class(data, instance=current)
        form.is_valid()
        message = STALE_MESSAGE
        if request.FILES.get("logo"):
            message = f"{message} {_('Le logo choisi est à sélectionner de nouveau.')}"
        messages.error(request, message)
        return render(
            request,
            "space/pole_form.html",
            {**context, "pole": current, "form": form, "conflict": conflict},
            status=409,
        )
    return render(request, "space/pole_form.html", {**context, "form": form}, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def pole_members(request: HttpRequest, slug: str) -> HttpResponse:
    """The pole's member organisations, in one formset guarded against lost edits."""
    pole = get_pole_for_leader(request, slug)
    context = {"pole": pole, "section": "members"}
    if request.method != "POST":
        context["formset"] = memberships_formset(pole, request.user)
        context["version_form"] = PoleVersionForm(initial={"version": pole.version})
        return render(request, "space/pole_members.html", context)

    version_form = PoleVersionForm(request.POST)
    if not version_form.is_valid():
        raise Http404(_("Aucun pôle ne correspond."))  # a forged page, not a user's mistake
    version = version_form.cleaned_data["version"]
    if locking.is_stale(version, pole.version):
        # Before the rows are validated: one someone deleted meanwhile is no mistake of theirs.
        return _members_conflict(request, context, pole, version)
    formset = memberships_formset(pole, request.user, request.POST)
    if formset.is_valid():

        def save(current: Pole) -> None:
            formset.save()
            current.save(update_fields=["updated_at"])  # a new version: stale pages refused
            if formset.has_changed():
                mark_content_changed(current)

        try:
            saved, current = save_if_current(request, slug, version, save)
        except IntegrityError:
            saved, current = None, pole
            formset = _after_a_crossed_save(pole, request, formset)
        if saved:
            messages.success(
                request,
                _("Les organisations membres sont enregistrées ; la page publique est à jour."),
            )
            return redirect("space:pole-members", slug=pole.slug)
        if saved is False:
            return _members_conflict(request, context, current, version)
    context.update(formset=formset, version_form=version_form)
    return render(request, "space/pole_members.html", context, status=400)


def _after_a_crossed_save(pole: Pole, request: HttpRequest, formset):
    """The members page after the database refused a save that passed validation: someone
    else's save landed in between (the same membership, or a new organisation's SIREN, added
    meanwhile), or two rows swapped roles. Checked again against the rows as they are now,
    the page says which row is refused and why; otherwise it says what may have happened."""
    checked = memberships_formset(pole, request.user, request.POST)
    if not checked.is_valid():
        return checked
    formset._non_form_errors = formset.error_class(
        [_("Rien n'est enregistré : une autre personne a enregistré les mêmes données au même "
           "moment, ou deux lignes donnent à une organisation le même rôle. Vérifiez les lignes "
           "et enregistrez de nouveau.")],
        renderer=formset.renderer,
    )
    return formset


def _members_conflict(request, context: dict, current: Pole, version: int) -> HttpResponse:
    """The members page after a stale save: what changed since ``version``, the input kept
    (less the rows someone deleted meanwhile), and the current version, to save over it."""
    messages.error(request, STALE_MESSAGE)
    data = locking.reopened(request.POST, "version", current.version)
    data = without_deleted_rows(data, current)
    context.update(
        pole=current,
        formset=memberships_formset(current, request.user, data),
        version_form=PoleVersionForm(data),
        conflict=changes_since_version(current, version),
    )
    context["formset"].is_valid()
    return render(request, "space/pole_members.html", context, status=409)


@require_safe
@login_required
def pole_history(request: HttpRequest, slug: str) -> HttpResponse:
    pole = get_pole_for_leader(request, slug)
    context = {
        "pole": pole,
        "section": "history",
        "changes": recent_changes(pole, limit=HISTORY_LENGTH),
    }
    return render(request, "space/pole_history.html", context)


@require_safe
@login_required
def organisation_search(request: HttpRequest) -> JsonResponse:
    """Suggestions for the members page: organisations matching ``q`` (20 at most)."""
    poles = Pole.objects.editable_by(request.user)
    if not poles.exists():
        raise Http404(_("Aucun pôle ne correspond."))
    # NUL bytes are no text to search for (and PostgreSQL refuses them in a query).
    query = " ".join(request.GET.get("q", "").replace("\x00", "").split())[:100]
    results = []
    if len(query) >= 2:
        results = [
            {
                "id": organisation.pk,
                "slug": organisation.slug,
                "name": organisation.name,
                "siren": organisation.siren,
                "commune": organisation.commune_name,
                "kind": organisation.kind_shown,
                "value": suggestion_value(organisation),
            }
            for organisation in search_organisations(query, poles)
        ]
    return JsonResponse({"query": query, "results": results})
