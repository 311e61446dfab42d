"""Site-wide views: robots.txt, the health check and the error pages in the site's look."""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from .cache import cache_public_page
from .links import absolute_url
from .middleware import requested_language
from .rest import not_found


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        "Disallow: /i18n/",
        "Disallow: /compte/",
        "Disallow: /espace/",
        "Disallow: /poles/export",
        f"Sitemap: {absolute_url(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    # ``path``, not ``path_info``: ``reverse`` writes the URL prefix (SCRIPT_NAME) too.
    if request.path.startswith(reverse("api-v1:root")):
        return not_found(request)
    return render(request, "404.html", status=404)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Rendered without the request: a 400 may come from a Host header the site refuses,
    which any use of the request's address would raise again. Such a request may be refused
    before the language middleware ran: its language is chosen here."""
    with translation.override(requested_language(request)):
        return HttpResponse(loader.get_template("400.html").render({}), status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check: say what to do (reload, accept cookies)."""
    response = render(request, "403_csrf.html", status=403)
    response["Cache-Control"] = "no-store"
    return response


def _database_unreachable(error: BaseException | None) -> bool:
    """Django's wrapped errors, or the driver's own (psycopg raises them unwrapped when the
    server stops while a server-side cursor is being closed)."""
    driver = connection.Database
    kinds = (OperationalError, InterfaceError, driver.OperationalError, driver.InterfaceError)
    while error is not None:
        if isinstance(error, kinds):
            return True
        error = error.__cause__ or error.__context__
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    """The error page; a 503 that asks to come back soon when the database is unreachable.

    Django calls this handler while it handles the exception, so ``sys.exc_info()`` tells
    which one it is.
    """
    # No RequestContext: whatever broke the page must not break the error page too.
    if _database_unreachable(sys.exc_info()[1]):
        # The same page ("réessayez dans quelques instants"), as a temporary failure.
        response = HttpResponse(loader.get_template("500.html").render({}), status=503)
        response["Retry-After"] = "10"
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponse(loader.get_template("500.html").render({}), status=500)


@require_safe
@cache_public_page()
def about(request: HttpRequest) -> HttpResponse:
    """What the registry is, where its data comes from, and the credits."""
    from poles.models import SourceDocument

    sources = SourceDocument.objects.all()
    return render(
        request, "about.html", {"sources": sources, "api_url": reverse("poles:api-index")}
    )


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 otherwise; no session, no template."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        response = JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    else:
        response = JsonResponse({"status": "ok", "database": "ok"})
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages without an icon link (the admin's)."""
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
