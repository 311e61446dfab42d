"""E-mails about the yearly indicators: staff told when leaders submit a year (the pole's
region's curators, or national staff: ``notifications.recipients``), and the yearly reminder
to the leaders of poles that have not submitted last year's figures
(``manage.py send_indicator_reminders``, once a year by cron).

A reminder is recorded (``IndicatorReminder``, one per pole and year) once sent: a second
run for the same year sends nothing, and a pole whose e-mail failed is tried again next run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from ptce_site.emails import MAIL_ERRORS, build_message

from ..registry.indicators.models import IndicatorReminder, YearlyIndicators
from ..registry.models import Pole
from .notifications import email_each_staff_member, recipients

logger = logging.getLogger(__name__)


def _admin_url(row: YearlyIndicators) -> str:
    try:
        return reverse("admin:poles_yearlyindicators_change", args=[row.pk])
    except NoReverseMatch:
        return "/"


def notify_submitted(row: YearlyIndicators, user) -> None:
    """Call inside the save's transaction: once committed, e-mail staff that ``user``
    submitted ``row`` for review (nothing when staff submit it themselves)."""
    if user.is_staff:
        return
    base = settings.SITE_URL
    author = user.get_full_name() or user.get_username()

    def send() -> None:
        to = recipients(row.pole.region_id)
        if not to:
            return
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "row": row,
                "pole": row.pole,
                "author": author,
                "review_url": base + _admin_url(row),
                "public_url": base + row.pole.get_absolute_url(),
            }
        email_each_staff_member(
            "indicators_submitted", context, to, about=f"indicators {row.pk}"
        )

    transaction.on_commit(send)


@dataclass
class Reminder:
    pole: Pole
    emails: list[str] = field(default_factory=list)
    sent: bool = False


def poles_to_remind(year: int):
    """Poles with leaders that have not sent ``year``'s figures (a draft is not sent) and
    were not reminded for it yet; neither dissolved nor founded after that year."""
    sent = YearlyIndicators.objects.sent().filter(pole=OuterRef("pk"), year=year)
    reminded = IndicatorReminder.objects.filter(pole=OuterRef("pk"), year=year)
    return (
        Pole.objects.filter(leaders__is_active=True)
        .exclude(status=Pole.Status.DISSOLVED)
        .exclude(founded_year__gt=year)
        .filter(~Exists(sent), ~Exists(reminded))
        .distinct()
        .order_by("pk")
    )


def send_reminders(year: int, *, dry_run: bool = False) -> list[Reminder]:
    """E-mail each leader of each pole to remind (one message each); record the reminder of
    each pole whose messages were sent. ``dry_run``: say who would be e-mailed, send and
    record nothing."""
    poles = list(poles_to_remind(year).prefetch_related("leaders"))
    reminders = []
    base = settings.SITE_URL
    for pole in poles:
        leaders = [u for u in pole.leaders.all() if u.is_active and u.email]
        reminder = Reminder(pole, sorted({u.email for u in leaders}))
        reminders.append(reminder)
        if dry_run or not reminder.emails:
            continue
        context = {
            "pole": pole,
            "year": year,
            "form_url": base + reverse("space:pole-indicator", args=[pole.slug, year]),
        }
        messages = [build_message("indicator_reminder", context, [e]) for e in reminder.emails]
        try:
            for message in messages:
                message.send()
        except MAIL_ERRORS:
            logger.exception("Indicator reminder for pole %s could not be sent.", pole.pk)
            continue
        IndicatorReminder.objects.get_or_create(
            pole=pole, year=year, defaults={"recipients": len(reminder.emails)}
        )
        reminder.sent = True
    return reminders

