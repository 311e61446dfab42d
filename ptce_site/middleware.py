"""The site's language: French unless the visitor chose another one."""

from django.conf import settings
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class LanguageMiddleware(MiddlewareMixin):
    """French by default, whatever the browser's Accept-Language says.

    A visitor switches language with the switcher (Django's ``set_language`` view, which sets
    the language cookie) or for one page with ``?lang=en`` (shareable links).
    """

    def process_request(self, request) -> None:
        language = request.GET.get("lang")
        if language not in SUPPORTED:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in SUPPORTED:
            language = settings.LANGUAGE_CODE
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
