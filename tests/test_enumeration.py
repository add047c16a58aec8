"""Nobody learns from Trellis whether an address has an account: a suspicious spouse
typing the other's email into sign-up, sign-in or password reset sees exactly what they
would see for an address nobody uses. The owner of the address gets an email instead."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from tests.conftest import PASSWORD

NEW_ADDRESS = "nobody.yet@example.com"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


def what_a_visitor_sees(response) -> tuple:
    """Status, where it leads and the words on the final page, with the one-time
    values (CSRF tokens, the address typed) taken out."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r"[\w.+-]+@example\.com", "ADDRESS", text)
    return response.status_code, [url for url, _ in response.redirect_chain], text


def sign_up(email: str):
    return Client().post(
        "/accounts/signup/",
        {
            "display_name": "Someone",
            "email": email,
            "password1": "a fresh and long passphrase",
            "password2": "a fresh and long passphrase",
        },
        follow=True,
    )


def test_sign_up_with_a_taken_address_looks_like_a_new_one(alice):
    new = sign_up(NEW_ADDRESS)
    taken = sign_up(alice.email)

    assert what_a_visitor_sees(taken) == what_a_visitor_sees(new)
    assert "already registered" not in taken.content.decode()
    # Neither is signed in: both are asked to confirm their address first.
    assert "_auth_user_id" not in taken.client.session
    assert "_auth_user_id" not in new.client.session
    # alice learns someone tried; the new address gets its confirmation link.
    assert sorted(message.to[0] for message in mail.outbox) == sorted([alice.email, NEW_ADDRESS])


def test_sign_in_says_the_same_for_an_unknown_address_and_a_wrong_password(alice):
    unknown = Client().post(
        "/accounts/login/", {"login": NEW_ADDRESS, "password": "a wrong passphrase"}, follow=True
    )
    wrong = Client().post(
        "/accounts/login/", {"login": alice.email, "password": "a wrong passphrase"}, follow=True
    )

    assert what_a_visitor_sees(wrong) == what_a_visitor_sees(unknown)
    assert wrong.status_code == 200


def test_password_reset_says_the_same_for_any_address(alice):
    unknown = Client().post("/accounts/password/reset/", {"email": NEW_ADDRESS}, follow=True)
    known = Client().post("/accounts/password/reset/", {"email": alice.email}, follow=True)

    assert what_a_visitor_sees(known) == what_a_visitor_sees(unknown)
    assert known.redirect_chain, "the reset form was refused"


def test_a_new_spouse_confirms_the_address_and_is_signed_in(db):
    browser = Client()
    browser.post(
        "/accounts/signup/",
        {
            "display_name": "Dana",
            "email": NEW_ADDRESS,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    link = re.search(r"http://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body).group(0)

    confirmed = browser.post(link.removeprefix("http://testserver"))

    assert confirmed.status_code == 302
    assert browser.get("/journal/").status_code == 200
