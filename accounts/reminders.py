"""Reminders: a neutral email on the days and at the time a spouse chose.

The email names no one and quotes nothing: a spouse's inbox may be read over their
shoulder. `manage.py send_reminders` calls `send_due` every minute (or once, from cron).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string

from accounts.models import Reminder

SUBJECT = "A quiet moment for Trellis"


def due_reminders(now: datetime.datetime) -> list[tuple[Reminder, datetime.datetime]]:
    """Every reminder whose slot has come, with that slot.

    Each reminder's day and time depend on its owner's time zone, so they are checked
    here rather than in SQL; one query over the reminders that are on.
    """
    found = []
    for reminder in Reminder.objects.filter(enabled=True, user__is_active=True).select_related(
        "user"
    ):
        slot = reminder.due_slot(now)
        if slot is not None:
            found.append((reminder, slot))
    return found


def claim(reminder: Reminder, slot: datetime.datetime) -> bool:
    """Mark `slot` as sent, unless another sender already has: one UPDATE, which the
    database runs for one sender at a time, and which only the first one changes."""
    return bool(
        Reminder.objects.filter(pk=reminder.pk, enabled=True)
        .filter(Q(last_sent_for__isnull=True) | Q(last_sent_for__lt=slot))
        .update(last_sent_for=slot)
    )


def send_due(*, now: datetime.datetime) -> int:
    """Send every reminder due at `now`, each slot at most once; return how many."""
    sent = 0
    for reminder, slot in due_reminders(now):
        # The claim and the queued email commit together: the email is queued only if
        # this sender won the slot.
        with transaction.atomic():
            if not claim(reminder, slot):
                continue
            send_mail(
                subject=SUBJECT,
                message=render_to_string(
                    "accounts/email/reminder.txt", {"site_url": settings.SITE_URL}
                ),
                from_email=None,
                recipient_list=[reminder.user.email],
            )
        sent += 1
    return sent


def save_settings(*, reminder: Reminder, now: datetime.datetime) -> None:
    """Store a spouse's choice. A time already past today counts as sent, so turning a
    reminder on at 21:00 for 20:00 does not send one at once. `update_or_create`, so a
    double-clicked first save stores one row instead of failing on the second."""
    Reminder.objects.update_or_create(
        user=reminder.user,
        defaults={
            "enabled": reminder.enabled,
            "time_of_day": reminder.time_of_day,
            "days": reminder.days,
            "last_sent_for": now,
        },
    )
