"""Send staff the daily digest of the pole leaders' edits (LEADER_EDIT_NOTIFICATIONS=daily)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from poles.leadership.notifications import mode, send_digest


class Command(BaseCommand):
    help = (
        "E-mails staff the edits pole leaders made on one day (yesterday by default, in "
        "TIME_ZONE). Schedule it once a day, e.g. at 07:00, with cron or a systemd timer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="The day to report, YYYY-MM-DD (default: yesterday). Re-send a missed day.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Send even when LEADER_EDIT_NOTIFICATIONS is not 'daily'.",
        )

    def handle(self, *args, date=None, force=False, **options):
        if mode() != "daily" and not force:
            self.stdout.write(
                f"LEADER_EDIT_NOTIFICATIONS={mode()}: no digest to send (use --force to send "
                "one anyway)."
            )
            return
        if date:
            try:
                day = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date={date!r} is not a date (YYYY-MM-DD).") from None
        else:
            day = timezone.localdate() - datetime.timedelta(days=1)
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
        end = start + datetime.timedelta(days=1)
        count = send_digest(start, end, base_url=settings.SITE_URL)
        if count:
            self.stdout.write(f"Digest of {day.isoformat()} sent: {count} pole(s).")
        else:
            self.stdout.write(
                f"No leader edit on {day.isoformat()} (or no recipient): nothing sent."
            )
