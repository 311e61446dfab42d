from importlib import import_module

from axes.apps import AppConfig as AxesConfig
from django.apps import apps
from django.contrib.admin.apps import SimpleAdminConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _

# Apps whose ``admin`` module must not be imported: ``leaflet.admin`` imports GeoDjango,
# which needs the GDAL library, and the registry uses no GeoDjango (plain floats).
SKIPPED_ADMIN_MODULES = {"leaflet"}


class LoginLockoutConfig(AxesConfig):
    """django-axes (failed logins, lockouts), named in the admin's words: « AXES » named only
    the package."""

    verbose_name = _("Sécurité des connexions")


class PtceAdminConfig(SimpleAdminConfig):
    """The admin, discovering every installed app's ``admin`` module except leaflet's."""

    # Refuses the query strings Django's admin would answer with a 500 (see admin_site.py).
    default_site = "ptce_site.admin_site.PtceAdminSite"

    def ready(self) -> None:
        super().ready()
        # Connects the page cache's invalidation signals in every process (shell, scripts).
        from . import cache
        from .curators import sync_after_migrate

        # The curators' group follows the models after every migrate: once per migrate, with
        # the admin's own post_migrate (its LogEntry model makes it send one).
        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="ptce_site.curators")
        post_migrate.connect(
            cache.registry_migrated, sender=self, dispatch_uid="ptce_site.page_cache"
        )

        for app_config in apps.get_app_configs():
            if app_config.label in SKIPPED_ADMIN_MODULES:
                continue
            if module_has_submodule(app_config.module, "admin"):
                import_module(f"{app_config.name}.admin")
