"""Pagination that never fails on a bad ``page`` and says what it did instead."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .cache import dont_store_this_page


@dataclass
class Pagination:
    page_obj: Page
    page_range: list
    notice: str | None

    def context(self) -> dict:
        return {
            "page_obj": self.page_obj,
            "page_range": self.page_range,
            "pagination_notice": self.notice,
        }


def paginate(request: HttpRequest, queryset, per_page: int = 20) -> Pagination:
    paginator = Paginator(queryset, per_page)
    raw = request.GET.get("page", "1")
    notice = None
    try:
        number = int(raw)
    except (TypeError, ValueError):
        number = 1
        notice = _("Le numéro de page demandé n'est pas valide : voici la première page.")
    if number < 1:
        number = 1
        notice = _("Le numéro de page demandé n'est pas valide : voici la première page.")
    elif number > paginator.num_pages:
        notice = ngettext(
            "Il n'y a qu'une page de résultats : la voici.",
            "Il n'y a que %(count)d pages de résultats : voici la dernière.",
            paginator.num_pages,
        ) % {"count": paginator.num_pages}
        number = paginator.num_pages
    if notice or raw != str(number):
        # Page cache: a page number that is not one, out of range or written otherwise
        # (" 2", "+2") gives another page's content; served, not stored (ptce_site/cache.py).
        dont_store_this_page(request)
    page = paginator.page(number)
    page_range = list(paginator.get_elided_page_range(number, on_each_side=2, on_ends=1))
    return Pagination(page, page_range, notice)
