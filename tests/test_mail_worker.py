"""Email is queued after the commit and sent by the worker (`manage.py db_worker`), as in
production: a failing mail server never fails the save that sends the email, a save that
rolls back sends nothing, and the queue holds no readable address or link."""

import io

import pytest
from django.core import mail
from django.core.mail import send_mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django_tasks_db.models import DBTaskResult

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
# The worker closes its database connection when it is done, as in production; inside a
# test's own transaction (PostgreSQL) that would close the test's connection too.
pytestmark = pytest.mark.django_db(transaction=True)


class BrokenMailServer:
    """An outgoing mailer whose server refuses every message."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages) -> int:
        raise ConnectionRefusedError("the mail server is down")


@pytest.fixture
def as_in_production(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MAILERS = {
        "default": {"BACKEND": "accounts.mail.QueuedBackend"},
        "outgoing": {"BACKEND": LOCMEM},
    }


def run_the_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())


def invite(user, address: str):
    browser = Client()
    browser.force_login(user)
    return browser.post("/us/invite/", {"send_to": address}, follow=True)


def test_an_invitation_email_waits_for_the_worker(
    as_in_production, carol, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(carol, "dan@example.com")
    assert response.status_code == 200
    assert mail.outbox == []
    queued = DBTaskResult.objects.get()
    stored = str(queued.args_kwargs)
    assert "dan@example.com" not in stored and "/us/join/" not in stored

    run_the_worker()

    assert [message.to for message in mail.outbox] == [["dan@example.com"]]
    assert "/us/join/" in mail.outbox[0].body
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_failing_mail_server_never_fails_the_save(
    as_in_production, settings, carol, django_capture_on_commit_callbacks
):
    settings.MAILERS = {**settings.MAILERS, "outgoing": {"BACKEND": f"{__name__}.BrokenMailServer"}}
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(carol, "dan@example.com")
    assert response.status_code == 200

    run_the_worker()

    assert DBTaskResult.objects.get().status == "FAILED"


def test_a_save_that_rolls_back_sends_nothing(
    as_in_production, db, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send_mail("Trellis", "never sent", None, ["dan@example.com"])
        raise RuntimeError("the save failed")

    run_the_worker()

    assert not DBTaskResult.objects.exists()
    assert mail.outbox == []


def test_allauths_emails_go_through_the_worker_too(
    as_in_production, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": alice.email})
    assert mail.outbox == []

    run_the_worker()

    assert [message.to for message in mail.outbox] == [[alice.email]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
