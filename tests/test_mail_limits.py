"""Trellis cannot be used to flood an inbox: invitation emails are limited per account and
per address, partner notices come at most once per kind an hour, and no subject carries a
name (subjects show on lock screens and in shared inboxes)."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client

from course.models import Answer
from tests.conftest import make_person
from tests.factories import lesson_slugs, link, prompt_slugs, signed_in


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


def invite(user, address: str):
    browser = Client()
    browser.force_login(user)
    return browser.post("/us/invite/", {"send_to": address}, follow=True)


def test_no_email_subject_carries_a_name(alice, bob, content):
    bob.notify_by_email = True
    bob.save()
    invite(alice, "someone@example.com")
    link(alice, bob)
    prompt = prompt_slugs(lesson_slugs("honesty")[0])[0]
    browser = Client()
    browser.force_login(alice)
    browser.post(f"/journal/{prompt}/", {"text": "words", "base_version": 0, "sharing": "shared"})
    signed_in(alice).post("/us/unlink/")

    subjects = [message.subject for message in mail.outbox]
    assert len(subjects) == 3, subjects
    assert not [subject for subject in subjects if "Alice" in subject or "Bob" in subject]


def test_one_account_sends_at_most_five_invitation_emails_a_day(carol):
    statuses = [invite(carol, f"person{n}@example.com").status_code for n in range(7)]

    assert statuses == [200] * 5 + [429] * 2
    assert len(mail.outbox) == 5
    refused = invite(carol, "person9@example.com").content.decode()
    assert "will not send another until tomorrow" in refused


def test_one_address_receives_at_most_three_invitations_a_day(db):
    senders = [make_person(name) for name in ("Gina", "Hal", "Ivy", "Jo")]

    statuses = [invite(sender, "Target@Example.com").status_code for sender in senders]

    assert statuses == [200, 200, 200, 429]
    assert len(mail.outbox) == 3


def test_an_invitation_without_an_email_is_never_limited(carol):
    for n in range(6):
        invite(carol, f"person{n}@example.com")

    assert invite(carol, "").status_code == 200


def test_sharing_back_and_forth_sends_the_partner_one_notice_an_hour(alice, bob, content):
    link(alice, bob)
    bob.notify_by_email = True
    bob.save()
    prompt = prompt_slugs(lesson_slugs("honesty")[0])[0]
    browser = Client()
    browser.force_login(alice)
    browser.post(f"/journal/{prompt}/", {"text": "words", "base_version": 0})

    def share(choice: str) -> None:
        # Sharing names the version the page showed, as the page does.
        version = Answer.objects.get(author=alice, prompt_id=prompt).version
        browser.post(f"/journal/{prompt}/share/", {"sharing": choice, "base_version": version})

    for _ in range(5):
        share("shared")
        share("private")
    assert len(mail.outbox) == 1

    an_hour_passes()
    share("shared")

    assert len(mail.outbox) == 2
    assert {message.to[0] for message in mail.outbox} == {bob.email}


def an_hour_passes() -> None:
    """Let every stored limit expire (the cache is a table in the database)."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE trellis_rate_limits SET expires = %s", ["2000-01-01 00:00:00"])
