"""The "Curators" group: network staff who curate the registry in the admin.

Curators may add, change, delete and view every model of the registry, and read the admin's
history; they get no permission on users or groups. Data migrations call
``sync_curators_group`` whenever the registry gains models, so the group always covers them.
"""

CURATORS_GROUP = "Curators"

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
    ("members", "organisation"),
    ("members", "membership"),
    ("calls", "call"),
    ("calls", "milestone"),
    ("calls", "application"),
]
ACTIONS = ("add", "change", "delete", "view")
# The fixed lists (objectives, communes from the reference data) are read-only for curators.
READ_ONLY_MODELS = {("poles", "objective"), ("poles", "commune")}


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


def sync_curators_group(apps, schema_editor=None) -> None:
    """Create the group if needed and give it exactly the curators' permissions.

    Written for data migrations (``apps`` is the historical registry): permissions are
    normally created after migrations run, so they are created here first.
    """
    from django.contrib.auth.management import create_permissions
    from django.db.models import Q

    # The historical app configs have no models module; create_permissions needs one set.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=CURATORS_GROUP)
    wanted = Q()
    for app_label, codename in curator_permission_codenames():
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    # A model that a later migration creates has no permission yet: that migration syncs again.
    group.permissions.set(Permission.objects.filter(wanted))
