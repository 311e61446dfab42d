"""Who leads a pole, in the admin: claim requests and invitations (registered here), and the
parts of the pole's page composed in ``poles/admin.py`` (``poles.py``)."""

from . import claims, invitations, proposals  # noqa: F401  (register their admins)
