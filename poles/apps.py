from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolesConfig(AppConfig):
    name = "poles"
    verbose_name = _("Pôles et territoires")

    def ready(self) -> None:
        # Registers the ``unaccented`` lookup and SQLite's ``ptce_unaccent`` function, and
        # SQLite's ``ptce_fr`` collation (French sorting), on every connection.
        from ptce_site import collation, search  # noqa: F401
        from ptce_site import scope as shared_scope

        # What each staff account may see and change: regional curators their regions only.
        from .territories.scope import RegionalScope

        shared_scope.register(RegionalScope())

        # Its signal handlers: a pole's « mis à jour » date, an account's deletion.
        from .registry import provenance  # noqa: F401

        # The search index follows every save and delete of what it holds.
        from .registry.search import signals as search_signals

        search_signals.connect()
