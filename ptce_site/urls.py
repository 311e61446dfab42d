from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from poles.leadership import contact
from poles.leadership import views as leadership_views

from . import accounts, views
from .sitemaps import SITEMAPS

admin.site.site_header = _("Registre des PTCE — administration")
admin.site.site_title = _("Registre des PTCE")
admin.site.index_title = _("Gestion du registre")

urlpatterns = [
    path("", include("poles.urls")),
    path("api/v1/", include("poles.registry.api_v1.urls")),  # the JSON API (README)
    path("appels/", include("calls.urls")),
    path("organisations/", include("members.urls")),
    path("espace/", include("poles.leadership.space.urls")),
    # Before the accounts' URLs, which it extends (one-time link to become a pole's leader).
    path(
        "compte/invitation/<str:token>/",
        leadership_views.accept_invitation,
        name="accept-invitation",
    ),
    # Before Django's accounts' URLs: the same view, with a volume limit and our e-mails.
    path("compte/password_reset/", accounts.password_reset, name="password_reset"),
    path("compte/login/", accounts.login, name="login"),  # by e-mail address (accounts.py)
    path("compte/", include("django.contrib.auth.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("a-propos/", views.about, name="about"),
    path("contact/", contact.contact, name="contact"),
    path("contact/merci/", contact.contact_sent, name="contact-sent"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages without an icon link (the admin's).
    path("favicon.ico", views.favicon),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]

handler400 = "ptce_site.views.bad_request"
handler403 = "ptce_site.views.permission_denied"
handler404 = "ptce_site.views.page_not_found"
handler500 = "ptce_site.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
