"""E-mails telling staff what pole leaders changed (``LEADER_EDIT_NOTIFICATIONS``).

- ``each``: one e-mail per saved edit, sent once the edit is committed;
- ``daily``: nothing at save time; ``manage.py send_edit_digest`` sends one digest of the
  previous day's edits (schedule it with cron or a systemd timer);
- ``off``: nothing.

Only edits by leaders are reported: staff editing from the leaders' space are the recipients
already. The e-mails list the fields with their values before and after
(``poles.leadership.history``) and link to the change in the admin.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from ptce_site.emails import build_message

from ..registry.models import Pole
from ..territories.scope import accounts_curating, regional_accounts
from .history import Change, changes_by_leaders, recent_changes

logger = logging.getLogger(__name__)

def mode() -> str:
    """``each``, ``daily`` or ``off``: the settings check the value and give the default."""
    return settings.LEADER_EDIT_NOTIFICATIONS


def recipients(region_id: int | None = None) -> list[str]:
    """Who is e-mailed about a pole (or a proposal) of the region ``region_id``: its regional
    curators; national staff when it has none (or with ``NATIONAL_CURATORS_NOTIFIED=always``).
    About no region (the contact form...), national staff."""
    regional = accounts_curating(region_id).exclude(email="").values_list("email", flat=True)
    regional = set(regional)
    if regional and settings.NATIONAL_CURATORS_NOTIFIED != "always":
        return sorted(regional)
    return sorted(regional | set(national_recipients()))


def national_recipients() -> list[str]:
    """``STAFF_NOTIFICATION_EMAILS`` if set, otherwise every active staff user allowed to
    change poles (directly, through a group, or as superuser) who has an e-mail address and
    is no regional curator."""
    override = settings.STAFF_NOTIFICATION_EMAILS
    if override:
        return list(override)
    users = get_user_model().objects.with_perm(
        "poles.change_pole",
        is_active=True,
        include_superusers=True,
        backend="django.contrib.auth.backends.ModelBackend",
    )
    regional = get_user_model().objects.filter(regional_accounts()).values("pk")
    users = users.filter(is_staff=True).exclude(pk__in=regional).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def email_each_staff_member(name: str, context: dict, recipients: list[str], about: str) -> None:
    """``emails/<name>`` to each staff address, one message each. What it is about (a claim
    request, a proposal) is already saved: a mail server failure is logged, not raised, and
    staff still find it in the admin's pending list."""
    messages = [build_message(name, context, [address]) for address in recipients]
    try:
        mailers.default.send_messages(messages)
    except Exception:
        logger.exception("%s: the e-mail to staff could not be sent.", about)


def admin_url(pole: Pole, change: Change | None = None) -> str:
    """Where staff see a change: the pole's version in the admin's history (django-simple-
    history) for a change of the profile, the pole's history for its memberships."""
    candidates = []
    if change is not None and change.kind == "pole":
        candidates.append(("admin:poles_pole_simple_history", [pole.pk, change.history_id]))
    candidates += [
        ("admin:poles_pole_history", [pole.pk]),
        ("admin:poles_pole_change", [pole.pk]),
    ]
    for name, args in candidates:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return "/"


def notify_leader_edit(request: HttpRequest, pole: Pole, *, since: datetime.datetime) -> None:
    """Call inside the edit's transaction: in ``each`` mode, e-mail staff the changes the
    user made to ``pole`` since ``since``, once the transaction has committed."""
    user = request.user
    if mode() != "each" or user.is_staff:
        return
    base = settings.SITE_URL
    transaction.on_commit(
        lambda: send_edit_email(pole_id=pole.pk, user=user, since=since, base_url=base)
    )


def send_edit_email(*, pole_id: int, user, since: datetime.datetime, base_url: str) -> bool:
    """E-mail staff one leader's edit; ``False`` when there was nothing to tell or no one to
    tell it to. A mail server that fails is logged, never shown to the leader."""
    pole = Pole.objects.filter(pk=pole_id).first()
    to = recipients(pole.region_id) if pole is not None else []
    if not to:
        return False
    changes = list(reversed(recent_changes(pole, limit=100, since=since, user=user)))
    if not changes:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        entries = [
            {"change": change, "url": base_url + admin_url(pole, change)} for change in changes
        ]
        context = {
            "pole": pole,
            "author": changes[0].who_for_staff,
            "entries": entries,
            "public_url": base_url + pole.get_absolute_url(),
            "history_url": base_url + admin_url(pole),
        }
    return _send(build_message("leader_edit", context, to))


def send_digest(start: datetime.datetime, end: datetime.datetime, *, base_url: str = "") -> int:
    """The leaders' edits between ``start`` and ``end``, pole by pole, in one e-mail per set of
    recipients (each region's curators get their poles'); returns the number of poles told
    about (0: no e-mail)."""
    by_pole = changes_by_leaders(start, end)
    if not by_pole:
        return 0
    base_url = base_url or settings.SITE_URL
    poles = Pole.objects.in_bulk(list(by_pole))
    digests = defaultdict(list)  # recipients -> sections
    with translation.override(settings.LANGUAGE_CODE):
        for pole_id, changes in by_pole.items():
            pole = poles.get(pole_id)
            to = tuple(recipients(pole.region_id)) if pole is not None else ()
            if not to:
                continue
            digests[to].append(
                {
                    "pole": pole,
                    "public_url": base_url + pole.get_absolute_url(),
                    "history_url": base_url + admin_url(pole),
                    "entries": [
                        {"change": change, "url": base_url + admin_url(pole, change)}
                        for change in changes
                    ],
                }
            )
        period = {"start": timezone.localtime(start), "end": timezone.localtime(end)}
    for to, sections in digests.items():
        _send(build_message("leader_edit_digest", {"sections": sections, **period}, list(to)))
    return sum(len(sections) for sections in digests.values())


def _send(message: EmailMessage) -> bool:
    try:
        message.send()
    except Exception:  # the edit is saved: a mail server failure must not turn it into a 500
        logger.exception("Could not send the e-mail to staff: %s", message.subject)
        return False
    return True
