"""The poles app's admin: each area registers its own models (``territories/admin.py``,
``registry/admin.py``, ``leadership/admin/``); the poles' admin is composed here.

The pole's page is the registry's ``PoleAdmin`` (lists, filters, inlines, territory and map,
publishing, CSV export) with the leadership's parts: the form guarded against concurrent edits,
the logo, the history of changes, the leaders and their invitations. This module only lays
them out.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .leadership import admin as leadership_admin  # noqa: F401  (claims, invitations)
from .leadership.admin.poles import (
    HISTORY_FIELDSET,
    LEADERS_FIELDSET,
    LOGO_FIELDSET,
    InviteLeaderMixin,
    PoleAdminForm,
    PoleChangesMixin,
    PoleLogoMixin,
)
from .registry import admin as registry_admin
from .registry.charter import admin as charter_admin  # noqa: F401  (the charter, signatures)
from .registry.events import admin as events_admin  # noqa: F401  (the chronology's events)
from .registry.indicators import admin as indicators_admin  # noqa: F401  (yearly indicators)
from .registry.models import Pole
from .territories import admin as territories_admin  # noqa: F401  (regions, communes)


@admin.register(Pole)
class PoleAdmin(InviteLeaderMixin, PoleChangesMixin, PoleLogoMixin, registry_admin.PoleAdmin):
    form = PoleAdminForm
    filter_horizontal = [*registry_admin.PoleAdmin.filter_horizontal, "leaders"]
    readonly_fields = [*registry_admin.PoleAdmin.readonly_fields, "change_summary", "logo_preview"]
    fieldsets = [
        (_("Identité"), {"fields": [*registry_admin.IDENTITY_FIELDS, "loaded_version"]}),
        registry_admin.TERRITORY_FIELDSET,
        registry_admin.ACTIVITIES_FIELDSET,
        registry_admin.CONTACT_FIELDSET,
        LOGO_FIELDSET,
        registry_admin.PUBLICATION_FIELDSET,
        LEADERS_FIELDSET,  # the invitations follow (InviteLeaderMixin)
        registry_admin.SOURCES_FIELDSET,
        HISTORY_FIELDSET,
    ]
