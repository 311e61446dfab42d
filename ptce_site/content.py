"""A person changed what a pole's public page shows.

The pole's « mis à jour » date is kept by the registry (``poles/registry/provenance.py``), which
listens to this signal; the areas below it (members, calls) and the shared import code send it
without importing the registry (the layering of ``tests/test_architecture.py``).
"""

from django.dispatch import Signal

# Sent with ``pole_ids``: the poles whose content a person (staff, a leader, an import) changed.
pole_content_changed = Signal()


def content_changed(sender, pole_ids) -> None:
    """Say that the content of these poles was changed by a person (ids; None left out)."""
    ids = {pk for pk in pole_ids if pk is not None}
    if ids:
        pole_content_changed.send(sender=sender, pole_ids=ids)
