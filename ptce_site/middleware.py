"""The site's language (French unless the visitor chose another one), private pages and
French spacing. The open data's CORS headers are django-cors-headers' (settings'
``CORS_URLS_REGEX``)."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.deprecation import MiddlewareMixin

from .typography import space_html_response

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def requested_language(request) -> str:
    """``?lang=``, else the language cookie, else French."""
    language = request.GET.get("lang")
    if language not in SUPPORTED:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if language not in SUPPORTED:
        language = settings.LANGUAGE_CODE
    return language


class LanguageMiddleware(MiddlewareMixin):
    """French by default, whatever the browser's Accept-Language says.

    A visitor switches language with the switcher (Django's ``set_language`` view, which sets
    the language cookie) or for one page with ``?lang=en`` (shareable links).
    """

    def process_request(self, request) -> None:
        language = requested_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        if "Vary" in response.headers:
            if "Cookie" not in response.headers["Vary"]:
                response.headers["Vary"] += ", Cookie"
        else:
            response.headers["Vary"] = "Cookie"
        return response


class PrivatePagesMiddleware:
    """``Cache-Control: private, no-store`` on the pages that hold a user's own data (the
    leaders' space, the accounts, the admin): a shared computer's browser or a proxy must not
    keep them. Django marks some of them already (``never_cache``); this marks them all, by
    path, so that a new page under those prefixes is covered without a decorator."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = (*settings.PRIVATE_PATH_PREFIXES, f"/{settings.ADMIN_URL}")

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.prefixes):
            patch_cache_control(response, private=True, no_store=True)
        return response


class FrenchSpacingMiddleware:
    """No-break spaces before « : ; ! ? » » and after « « » on every HTML page but the admin's
    (``typography.french_spacing``): no line of a phone's screen starts with a colon or a
    closing guillemet, whoever wrote the text (the catalogues, the seed, a leader). The page
    cache stores its pages spaced already (``cache_public_page``): a page it builds is spaced
    once, and one it serves from a stored copy is marked spaced (``typography.mark_spaced``)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin = f"/{settings.ADMIN_URL}"

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.admin):
            return response
        return space_html_response(response)
