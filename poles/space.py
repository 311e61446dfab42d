"""The pole leaders' space (``/espace/``): their poles, and their pole's profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from .forms import PoleProfileForm
from .models import Pole


def get_pole_for_leader(request: HttpRequest, slug: str, *, for_update: bool = False) -> Pole:
    """The pole ``slug`` if the user may edit it; a 404 otherwise (its existence not leaked)."""
    poles = Pole.objects.editable_by(request.user)
    if for_update:
        poles = poles.select_for_update()
    try:
        return poles.get(slug=slug)
    except Pole.DoesNotExist:
        raise Http404(_("Aucun pôle ne correspond.")) from None


@require_safe
@login_required
def my_poles(request: HttpRequest) -> HttpResponse:
    poles = (
        Pole.objects.filter(pk__in=request.user.led_poles.values("pk"))
        .annotate(current_members=Count("memberships", filter=Q(memberships__left_on=None)))
        .select_related("region")
        .order_by("name")
    )
    return render(request, "space/my_poles.html", {"poles": poles})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def edit_pole(request: HttpRequest, slug: str) -> HttpResponse:
    pole = get_pole_for_leader(request, slug)
    if request.method != "POST":
        form = PoleProfileForm(instance=pole)
        return render(request, "space/pole_form.html", {"pole": pole, "form": form})

    form = PoleProfileForm(request.POST, instance=pole)
    if form.is_valid():
        with transaction.atomic():
            current = get_pole_for_leader(request, slug, for_update=True)
            if current.version == form.cleaned_data["version"]:
                form.save()
                messages.success(
                    request, _("La fiche du pôle est enregistrée ; la page publique est à jour.")
                )
                return redirect("space:edit-pole", slug=pole.slug)
            conflict = form.changes_since_opened(current)
        # Someone saved in between: keep what this editor typed, show what changed, and let
        # a second save knowingly replace it.
        data = request.POST.copy()
        data["version"] = current.version
        data["snapshot"] = PoleProfileForm.sign(current)
        form = PoleProfileForm(data, instance=current)
        form.is_valid()
        messages.error(
            request,
            _(
                "Quelqu'un d'autre a modifié cette fiche pendant que vous l'éditiez. Vos "
                "saisies sont conservées ci-dessous ; vérifiez les changements puis "
                "enregistrez à nouveau pour les remplacer."
            ),
        )
        return render(
            request,
            "space/pole_form.html",
            {"pole": current, "form": form, "conflict": conflict},
            status=409,
        )
    return render(request, "space/pole_form.html", {"pole": pole, "form": form}, status=400)
