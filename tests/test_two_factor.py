"""Two-step sign-in (allauth.mfa: an authenticator app plus backup codes), through its URLs:
every page says what it is for in Trellis's words, and a spouse can turn it on, sign in
with it, and turn it off again."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client

from tests.conftest import PASSWORD

# allauth's own words (Title Case headings and buttons, its notices), which Trellis does
# not use; "Activate" also stands for "Deactivate".
STOCK = re.compile(
    r"Two-Factor|Authenticator App|Recovery Codes|Authenticator secret|Activate|Generate"
    r"|>\s*(View|Download)\s*<|Sign In|Incorrect code|recovery codes available|Enter an"
    r"|Use authenticator app"
)


def main_of(response) -> str:
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    found = STOCK.search(page)
    assert found is None, f"stock wording {found.group(0)!r} on {response.request['PATH_INFO']}"
    return page[page.index("<main") : page.index("</main>")]


def title_of(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


def signed_in(user) -> Client:
    browser = Client()
    response = browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    # allauth asks for the password again before two-step sign-in is changed.
    again = browser.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert again.status_code == 302
    return browser


def code_for(secret: str) -> str:
    """What the authenticator app shows now (allauth's own HOTP function)."""
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def one_window_either_side(settings):
    # A code computed at the very end of a 30-second window can reach the form in the next.
    settings.MFA_TOTP_TOLERANCE = 1


def test_the_two_step_page_says_what_it_is_for_when_it_is_off(alice):
    browser = signed_in(alice)

    response = browser.get("/accounts/2fa/")

    main = main_of(response)
    assert title_of(response) == "Two-step sign-in · Trellis"
    assert "<h1>Two-step sign-in</h1>" in main
    assert "a six-digit code" in main
    assert "Off." in main
    assert 'href="/accounts/2fa/totp/activate/"' in main
    assert ">Turn on two-step sign-in</a>" in main
    # Backup codes come with the app: nothing to see or make before it is on.
    assert "/accounts/2fa/recovery-codes/" not in main


def test_turning_it_on_shows_the_key_and_asks_for_a_code_in_plain_words(alice):
    browser = signed_in(alice)

    response = browser.get("/accounts/2fa/totp/activate/")

    main = main_of(response)
    assert title_of(response) == "Turn on two-step sign-in · Trellis"
    assert "<h1>Turn on two-step sign-in</h1>" in main
    secret = response.context["form"].secret
    assert f'value="{secret}"' in main and "readonly" in main
    assert "Setup key" in main
    assert "Anyone who has this key can make your codes" in main

    wrong = browser.post("/accounts/2fa/totp/activate/", {"code": "000000"})

    assert "That code did not work" in main_of(wrong)


def test_on_sign_in_with_a_backup_code_and_off_again(
    alice, mailoutbox, one_window_either_side, django_capture_on_commit_callbacks
):
    browser = signed_in(alice)
    secret = browser.get("/accounts/2fa/totp/activate/").context["form"].secret

    turned_on = browser.post("/accounts/2fa/totp/activate/", {"code": code_for(secret)})

    assert turned_on.status_code == 302
    assert turned_on["Location"] == "/accounts/2fa/recovery-codes/"
    codes_page = browser.get(turned_on["Location"])
    main = main_of(codes_page)
    assert title_of(codes_page) == "Your backup codes · Trellis"
    assert "You have 10 of 10 backup codes left." in main
    assert "only you can reach" in main
    codes = codes_page.context["unused_codes"]
    assert len(codes) == 10 and all(code in main for code in codes)
    index = main_of(browser.get("/accounts/2fa/"))
    assert "On." in index
    assert "Turn off two-step sign-in" in index and "See your backup codes" in index

    download = browser.get("/accounts/2fa/recovery-codes/download/")
    assert download.status_code == 200
    text = download.content.decode()
    assert text.startswith("Trellis backup codes")
    assert all(code in text for code in codes)
    assert "Make new backup codes" in main_of(browser.get("/accounts/2fa/recovery-codes/generate/"))
    assert "backup codes" in main_of(browser.get("/accounts/2fa/reauthenticate/"))
    password_again = main_of(browser.get("/accounts/reauthenticate/"))
    assert ">Use a code from your phone, or a backup code</a>" in password_again

    # Signing in now takes a second step, in plain words; a backup code opens it once.
    other = Client()
    step = other.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    assert step.status_code == 302 and step["Location"] == "/accounts/2fa/authenticate/"
    second_step = other.get(step["Location"])
    assert title_of(second_step) == "Sign in · Trellis"
    assert "<h1>One more step</h1>" in main_of(second_step)
    wrong = other.post("/accounts/2fa/authenticate/", {"code": "12345678"})
    assert "That code did not work" in main_of(wrong)
    assert other.post("/accounts/2fa/authenticate/", {"code": codes[0]})["Location"] == "/"
    assert other.get("/journal/").status_code == 200

    off_page = browser.get("/accounts/2fa/totp/deactivate/")
    main = main_of(off_page)
    assert title_of(off_page) == "Turn off two-step sign-in · Trellis"
    assert "your backup codes stop working" in main
    with django_capture_on_commit_callbacks(execute=True):
        turned_off = browser.post("/accounts/2fa/totp/deactivate/", follow=True)
    index = main_of(turned_off)
    assert "Two-step sign-in is off." in index and "Off." in index
    assert not Authenticator.objects.filter(user=alice).exists()
    # allauth's notification emails (mfa/email/*) are off, so their stock words never go
    # out; turning ACCOUNT_EMAIL_NOTIFICATIONS on would need them in Trellis's words.
    assert mailoutbox == []
