"""Remind pole leaders, once a year, to give their pole's figures of the past year."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from poles.leadership.indicator_mail import send_reminders
from poles.registry.indicators.models import FIRST_YEAR, is_reportable, last_reportable_year


class Command(BaseCommand):
    help = (
        "E-mails the leaders of each pole that has not submitted its yearly indicators for "
        "the past year (or --year). Each pole is reminded once per year: a second run sends "
        "nothing. Schedule it once a year, e.g. in mid-January, with cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, help="The year to remind about (default: the past year)."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the poles and addresses that would be e-mailed; send and record nothing.",
        )

    def handle(self, *args, year=None, dry_run=False, **options):
        last = last_reportable_year()
        year = last if year is None else year
        if not is_reportable(year):
            raise CommandError(
                f"--year={year}: yearly indicators exist from {FIRST_YEAR} to {last} "
                "(a year is reported once it is over)."
            )
        reminders = send_reminders(year, dry_run=dry_run)
        for reminder in reminders:
            if not reminder.emails:
                state = "no leader with an e-mail address: skipped"
            elif dry_run:
                state = "would be e-mailed"
            else:
                state = "e-mailed" if reminder.sent else "FAILED (tried again next run)"
            addresses = ", ".join(reminder.emails)
            self.stdout.write(f"{reminder.pole.slug} ({addresses}): {state}")
        sent = sum(reminder.sent for reminder in reminders)
        if dry_run:
            self.stdout.write(f"Dry run for {year}: {len(reminders)} pole(s) to remind.")
        else:
            self.stdout.write(f"Reminders for {year}: {sent} pole(s) e-mailed.")
