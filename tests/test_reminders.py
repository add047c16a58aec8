"""Reminders: a spouse's chosen days and time, in their own time zone, and an email that
arrives once per slot through a real SMTP server, naming no one and quoting nothing.

The mail server is aiosmtpd on 127.0.0.1; the emails go the production way: queued by
`send_reminders`, sent by `db_worker`.
"""

import contextlib
import datetime
import email
import email.policy
import io
import socket
import sqlite3
import threading
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts import reminders
from accounts.models import Reminder
from tests.conftest import make_person
from tests.factories import answer, lesson_slugs, link, prompt_slugs, signed_in

# Every test commits for real, as the sender and the worker do: the worker closes a
# connection left inside a transaction, which PostgreSQL's test transaction would be.
pytestmark = pytest.mark.django_db(transaction=True)

SENDER = "Trellis <hello@trellis.example>"
UTC = datetime.UTC
MONDAY = datetime.datetime(2026, 12, 7, tzinfo=UTC)  # a Monday
EVERY_DAY = "0123456"
SECRET = "The night I found the messages on his phone."


class Inbox:
    """What the SMTP server received: (envelope recipients, parsed message) pairs."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd calls it by this name
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def recipients(self) -> list[list[str]]:
        return [to for to, _ in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(settings):
    """A real SMTP server on a free port, with Trellis's outgoing mailer pointed at it and
    email queued in the database as in production."""
    received = Inbox()
    server = Controller(received, hostname="127.0.0.1", port=free_port())
    server.start()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MAILERS = {
        "default": {"BACKEND": "accounts.mail.QueuedBackend"},
        "outgoing": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "use_tls": False, "timeout": 5},
        },
    }
    settings.DEFAULT_FROM_EMAIL = SENDER
    settings.SITE_URL = "https://trellis.example"
    yield received
    server.stop()


def run_the_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())


def send_reminders() -> None:
    call_command("send_reminders", "--once", stdout=io.StringIO())


def remind(user, *, days: str, at: str, zone: str = "") -> Reminder:
    user.time_zone = zone
    user.save(update_fields=["time_zone"])
    return Reminder.objects.create(
        user=user, enabled=True, days=days, time_of_day=datetime.time.fromisoformat(at)
    )


def send_due_at(moment: datetime.datetime) -> None:
    reminders.send_due(now=moment)
    run_the_worker()


def test_a_due_reminder_arrives_once_naming_no_one(inbox, content, alice, bob, carol):
    link(alice, bob)
    answer(alice, prompt_slugs(lesson_slugs("honesty")[0])[0], SECRET, sharing="shared")
    today = timezone.now().weekday()
    remind(alice, days=str(today), at="00:00")
    Reminder.objects.create(user=carol, enabled=False, days=EVERY_DAY)

    send_reminders()
    assert inbox.received == []
    stored = str(DBTaskResult.objects.get().args_kwargs)
    assert alice.email not in stored
    run_the_worker()

    assert inbox.recipients() == [[alice.email]]
    message = inbox.received[0][1]
    assert message["To"] == alice.email
    assert message["From"] == SENDER
    assert message["Subject"] == "A quiet moment for Trellis"
    body = message.get_content()
    assert "https://trellis.example" in body
    assert "https://trellis.example/account/reminders/" in body
    for private in ("Alice", "Bob", "alice@", "bob@", SECRET, "messages on his phone"):
        assert private not in body and private not in message["Subject"]

    send_reminders()
    run_the_worker()
    assert inbox.recipients() == [[alice.email]], "the same slot was sent twice"


def test_kolkata_at_eight_on_mondays_is_half_past_two_utc(inbox, alice, bob):
    remind(alice, days="0", at="08:00", zone="Asia/Kolkata")
    remind(bob, days="0", at="08:00", zone="America/Los_Angeles")

    send_due_at(MONDAY.replace(hour=2, minute=29))
    assert inbox.received == []

    send_due_at(MONDAY.replace(hour=2, minute=30))
    assert inbox.recipients() == [[alice.email]]

    # 08:00 on Monday in Los Angeles is 16:00 UTC.
    send_due_at(MONDAY.replace(hour=15, minute=59))
    assert inbox.recipients() == [[alice.email]]
    send_due_at(MONDAY.replace(hour=16))
    assert inbox.recipients() == [[alice.email], [bob.email]]


def test_the_day_is_the_spouses_own_day(inbox, alice):
    # 22:00 UTC on Sunday is already Monday 03:30 in Kolkata.
    remind(alice, days="0", at="03:00", zone="Asia/Kolkata")

    send_due_at(MONDAY - datetime.timedelta(hours=2))

    assert inbox.recipients() == [[alice.email]]


def test_a_blank_time_zone_means_the_sites(inbox, settings, alice):
    settings.TIME_ZONE = "Asia/Tokyo"
    remind(alice, days="0", at="09:00")

    send_due_at(MONDAY.replace(hour=0, minute=0))

    assert inbox.recipients() == [[alice.email]]


def test_a_reminder_missed_while_down_comes_once_the_same_day_never_later(inbox, alice, bob):
    remind(alice, days="0", at="08:00", zone="Asia/Kolkata")
    remind(bob, days=EVERY_DAY, at="07:00")
    tuesday = MONDAY + datetime.timedelta(days=1)

    # Down from Sunday until Tuesday 06:00 UTC: Monday's reminders are not sent late,
    # and bob's Tuesday one has not come yet.
    send_due_at(tuesday.replace(hour=6))
    assert inbox.received == []

    # Down again from 06:00 to 15:00: bob's 07:00 reminder comes once, late.
    send_due_at(tuesday.replace(hour=15))
    send_due_at(tuesday.replace(hour=16))
    assert inbox.recipients() == [[bob.email]]

    send_due_at(MONDAY.replace(hour=15) + datetime.timedelta(days=7))
    assert sorted(inbox.recipients()) == [[alice.email], [bob.email], [bob.email]]


def test_the_sender_keeps_checking_until_it_is_stopped(inbox, alice):
    remind(alice, days=EVERY_DAY, at="00:00")
    naps = []

    def nap(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 3:
            raise KeyboardInterrupt  # as systemd or Ctrl-C stops it

    with mock.patch("accounts.management.commands.send_reminders.time.sleep", nap):
        call_command("send_reminders", "--every", "30", stdout=io.StringIO())
    run_the_worker()

    assert naps == [30, 30, 30]
    assert inbox.recipients() == [[alice.email]]


@contextlib.contextmanager
def shared_like_processes(tmp_path):
    """Let threads share the database the way separate sender processes do (and the
    worker, which wants the main thread, see it too).

    SQLite's in-memory test database, shared between threads, makes a writer's neighbour
    fail at once ("database table is locked") where a file database, as in production,
    waits its turn. So on SQLite the threads work on a copy of it in a file."""
    if connection.vendor != "sqlite":
        yield
        return
    copy = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(copy) as target:
        connection.connection.backup(target)
    in_memory, shared = connections["default"], connection.settings_dict
    memory_name, shared["NAME"] = shared["NAME"], str(copy)
    connections["default"] = in_memory.__class__(shared, "default")
    try:
        yield
    finally:
        connection.close()
        connections["default"] = in_memory
        shared["NAME"] = memory_name


def in_threads(*jobs) -> None:
    """Run each job in its own thread, with its own connection, and fail if any failed."""
    failures = []

    def run(job) -> None:
        try:
            job()
        except Exception as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def one_sender() -> None:
    call_command("send_reminders", "--once", stdout=io.StringIO())


def test_two_senders_at_once_send_each_reminder_once(inbox, tmp_path):
    people = [make_person(f"Spouse{n}") for n in range(8)]
    for person in people:
        remind(person, days=EVERY_DAY, at="00:00")
    both_looked = threading.Barrier(2, timeout=10)
    look = reminders.due_reminders

    def look_then_wait(now):
        found = look(now)
        both_looked.wait()  # both senders hold the same due list before either claims
        return found

    with shared_like_processes(tmp_path):
        with mock.patch.object(reminders, "due_reminders", look_then_wait):
            in_threads(one_sender, one_sender)
        run_the_worker()

    assert sorted(inbox.recipients()) == sorted([person.email] for person in people)


def test_turning_it_on_from_the_page_sends_on_the_chosen_days(inbox, alice):
    browser = Client()
    browser.force_login(alice)

    response = browser.post(
        "/account/reminders/", {"enabled": "on", "time_of_day": "00:00", "days": ["0", "3"]}
    )

    assert response.status_code == 302
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    next_monday = tomorrow + datetime.timedelta(days=(7 - tomorrow.weekday()) % 7)
    send_due_at(next_monday.replace(hour=12))
    assert inbox.recipients() == [[alice.email]]


def test_turning_it_off_stops_it(inbox, alice):
    browser = Client()
    browser.force_login(alice)
    on = {"enabled": "on", "time_of_day": "00:00", "days": list(EVERY_DAY)}
    assert browser.post("/account/reminders/", on).status_code == 302

    off = browser.post("/account/reminders/", {**on, "enabled": ""})

    assert off.status_code == 302
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    send_due_at(tomorrow.replace(hour=12))
    assert inbox.received == []
    assert "No reminders will be sent" in browser.get("/account/reminders/").content.decode()


def test_turning_it_on_after_todays_time_waits_for_the_next_one(inbox, alice):
    browser = Client()
    browser.force_login(alice)
    today = str(timezone.now().weekday())

    browser.post("/account/reminders/", {"enabled": "on", "time_of_day": "00:00", "days": today})

    send_reminders()
    run_the_worker()
    assert inbox.received == []


def test_a_deleted_account_gets_nothing(inbox, alice, bob):
    remind(alice, days=EVERY_DAY, at="00:00")
    remind(bob, days=EVERY_DAY, at="00:00")

    deleted = signed_in(alice).post("/account/delete/", {"confirm": "delete my account"})

    assert deleted.status_code == 302
    send_reminders()
    run_the_worker()
    assert inbox.recipients() == [[bob.email]]


def test_a_deactivated_account_gets_nothing(inbox, alice):
    remind(alice, days=EVERY_DAY, at="00:00")
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    send_reminders()
    run_the_worker()

    assert inbox.received == []


# --- the settings page ---------------------------------------------------------------


def test_reminders_are_off_by_default(alice):
    browser = Client()
    browser.force_login(alice)

    response = browser.get("/account/reminders/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="enabled"' in page and "checked" not in page.split('name="enabled"')[1][:40]
    assert "In your time zone: UTC" in page
    account = browser.get("/account/").content.decode()
    assert "Set up a reminder" in account


def test_a_visitor_is_asked_to_sign_in():
    response = Client().get("/account/reminders/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_shows_the_spouses_own_time_zone(alice):
    alice.time_zone = "Asia/Kolkata"
    alice.save(update_fields=["time_zone"])
    browser = Client()
    browser.force_login(alice)

    assert "In your time zone: Asia/Kolkata" in browser.get("/account/reminders/").content.decode()


def test_on_with_no_day_is_refused_clearly_and_saves_nothing(alice):
    browser = Client()
    browser.force_login(alice)

    response = browser.post("/account/reminders/", {"enabled": "on", "time_of_day": "19:30"})

    assert response.status_code == 400
    assert "Choose at least one day, or leave the reminder off." in response.content.decode()
    assert not Reminder.objects.filter(user=alice).exists()


@pytest.mark.parametrize("time", ["", "25:00", "half past seven", "19:30" * 100])
def test_a_bad_time_is_refused_clearly(alice, time):
    browser = Client()
    browser.force_login(alice)

    response = browser.post(
        "/account/reminders/", {"enabled": "on", "time_of_day": time, "days": ["0"]}
    )

    assert response.status_code == 400
    assert "Please" in response.content.decode() and "19:30" in response.content.decode()
    assert not Reminder.objects.filter(user=alice).exists()


def test_made_up_days_are_refused(alice):
    browser = Client()
    browser.force_login(alice)

    response = browser.post(
        "/account/reminders/", {"enabled": "on", "time_of_day": "19:30", "days": ["7", "x"]}
    )

    assert response.status_code == 400
    assert "Please choose days from the list." in response.content.decode()
    assert not Reminder.objects.filter(user=alice).exists()


def test_the_choice_is_saved_and_shown_again(alice):
    browser = Client()
    browser.force_login(alice)

    response = browser.post(
        "/account/reminders/", {"enabled": "on", "time_of_day": "07:45", "days": ["4", "0"]}
    )

    assert response.status_code == 302
    saved = Reminder.objects.get(user=alice)
    assert (saved.enabled, saved.time_of_day, saved.days) == (True, datetime.time(7, 45), "04")
    page = browser.get("/account/reminders/").content.decode()
    assert 'value="07:45"' in page
    assert "On, at 07:45 on Monday and Friday." in browser.get("/account/").content.decode()
    browser.post("/account/reminders/", {"enabled": "on", "time_of_day": "07:45", "days": "6"})
    assert "On, at 07:45 on Sunday." in browser.get("/account/").content.decode()
    every_day = {"enabled": "on", "time_of_day": "21:00", "days": list(EVERY_DAY)}
    browser.post("/account/reminders/", every_day)
    assert "On, at 21:00 every day." in browser.get("/account/").content.decode()
