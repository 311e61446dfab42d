"""The "Curators" group: network staff who curate the registry in the admin; and the "Regional
curators" group: staff of a regional chamber who curate the poles of their regions only.

Curators (national) may add, change, delete and view every model of the registry, and read the
admin's history; they get no permission on users or groups. Regional curators may add, change
and view the poles, organisations, memberships, applications, charter signatures, invitations,
claim requests and proposals (and delete those but organisations, which other regions' poles may
share), within their regions (``poles/territories/scope.py``), and only view the reference data.
Both groups are brought to exactly these permissions after every ``migrate`` (and ``flush``):
``sync_after_migrate``, a ``post_migrate`` receiver connected by the admin's app config
(``ptce_site.apps``), so a model added to the registry is covered by listing it below. No
migration imports this module.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q

CURATORS_GROUP = "Curators"
REGIONAL_CURATORS_GROUP = "Regional curators"

# (app label, model) pairs the curators manage fully.
CURATED_MODELS = [
    ("poles", "region"),
    ("poles", "formerregion"),
    ("poles", "commune"),
    ("poles", "sector"),
    ("poles", "objective"),
    ("poles", "sourcedocument"),
    ("poles", "pole"),
    ("poles", "invitation"),
    ("poles", "claimrequest"),
    ("poles", "poleproposal"),
    ("poles", "event"),
    ("poles", "yearlyindicators"),
    ("poles", "charter"),
    ("poles", "chartersignature"),
    ("members", "organisation"),
    ("members", "membership"),
    ("calls", "call"),
    ("calls", "milestone"),
    ("calls", "application"),
]
ACTIONS = ("add", "change", "delete", "view")
# The fixed lists (objectives, communes from the reference data) are read-only for curators.
READ_ONLY_MODELS = {("poles", "objective"), ("poles", "commune")}
# What regional curators change, within their regions; the rest (regions, sectors, objectives,
# source documents, calls and their milestones) they only view.
REGIONAL_MODELS = {
    ("poles", "pole"),
    ("poles", "chartersignature"),
    ("poles", "invitation"),
    ("poles", "claimrequest"),
    ("poles", "poleproposal"),
    ("members", "organisation"),
    ("members", "membership"),
    ("calls", "application"),
    ("poles", "yearlyindicators"),
}
# An organisation may belong to poles of several regions: only national curators delete one.
REGIONAL_UNDELETABLE = {("members", "organisation")}


def curator_permission_codenames() -> list[tuple[str, str]]:
    """(app label, codename) of every permission the curators hold."""
    pairs = []
    for app_label, model in CURATED_MODELS:
        actions = ("view",) if (app_label, model) in READ_ONLY_MODELS else ACTIONS
        pairs.extend((app_label, f"{action}_{model}") for action in actions)
    pairs.append(("admin", "view_logentry"))
    # Locked-out logins (django-axes): curators see them and unlock by deleting the attempts.
    pairs.extend(
        ("axes", f"{action}_{model}")
        for model in ("accessattempt", "accesslog", "accessfailurelog")
        for action in ("view", "delete")
    )
    return pairs


def regional_curator_permission_codenames() -> list[tuple[str, str]]:
    """(app label, codename) of every permission the regional curators hold."""
    pairs = []
    for app_label, model in CURATED_MODELS:
        if (app_label, model) not in REGIONAL_MODELS:
            actions = ("view",)
        elif (app_label, model) in REGIONAL_UNDELETABLE:
            actions = ("add", "change", "view")
        else:
            actions = ACTIONS
        pairs.extend((app_label, f"{action}_{model}") for action in actions)
    return pairs


def sync_curators_group(apps=global_apps, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the groups if needed and give each exactly its permissions.

    ``apps`` may be a migration state's registry (what ``post_migrate`` passes): its app
    configs have no models module, which ``create_permissions`` needs to see set. Missing
    permissions are created first, since Django's own receiver may not have run yet for every
    app; when they all exist (every ``flush`` of a test database, most ``migrate`` runs) that
    step, a few queries per app, is skipped.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    groups = {
        CURATORS_GROUP: curator_permission_codenames(),
        REGIONAL_CURATORS_GROUP: regional_curator_permission_codenames(),
    }
    pairs = set().union(*groups.values())
    if Permission.objects.using(using).filter(_wanted(pairs)).count() < len(pairs):
        _create_permissions(apps, using)
    for name, wanted in groups.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(Permission.objects.using(using).filter(_wanted(wanted)))


def _wanted(pairs: Iterable[tuple[str, str]]) -> Q:
    wanted = Q()
    for app_label, codename in pairs:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    return wanted


def _create_permissions(apps, using: str) -> None:
    for app_config in apps.get_app_configs():
        historical = getattr(app_config, "models_module", None) is None
        if historical:
            app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        if historical:
            app_config.models_module = None


def sync_after_migrate(sender, *, using: str = DEFAULT_DB_ALIAS, apps=global_apps, **kwargs):
    """``post_migrate`` receiver: the group follows the models after every migrate."""
    sync_curators_group(apps, using)
