"""Send the reminders spouses asked for, as their time comes.

Runs next to gunicorn and `db_worker`, checking every minute, or from cron with `--once`.
Two senders at once are safe: each slot is claimed in one UPDATE (accounts/reminders.py).
"""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts import reminders


class Command(BaseCommand):
    help = "Queue the reminder emails that are due (every minute, or once with --once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Check once and stop.")
        parser.add_argument(
            "--every", type=int, default=60, help="Seconds between checks (default 60)."
        )

    def handle(self, *args, once: bool, every: int, **options) -> None:
        try:
            while True:
                sent = reminders.send_due(now=timezone.now())
                if sent:
                    self.stdout.write(f"Queued {sent} reminder(s).")
                if once:
                    return
                time.sleep(max(every, 1))
        except KeyboardInterrupt:
            return
