"""Every request reads its session and user from the database (Django's database
sessions and allauth's backend), so whatever ends a session on one worker is seen by the
next request on any worker. Each test signs alice in through the real form on two
"devices", ends the session one way, and checks the next page."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db.models import F
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD

PRIVATE_PAGE = "/journal/"


def device(user) -> Client:
    browser = Client()
    response = browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, "sign-in failed"
    assert browser.get(PRIVATE_PAGE).status_code == 200
    return browser


def is_signed_out(browser: Client) -> bool:
    response = browser.get(PRIVATE_PAGE)
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_signing_out_on_one_device_leaves_the_other_signed_in(alice):
    phone, laptop = device(alice), device(alice)

    phone.post("/accounts/logout/")

    assert is_signed_out(phone)
    assert not is_signed_out(laptop)


def test_sign_out_everywhere_ends_every_session_at_once(alice):
    phone, laptop = device(alice), device(alice)

    laptop.post("/account/sign-out-everywhere/")

    assert is_signed_out(phone) and is_signed_out(laptop)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
@pytest.mark.parametrize("seconds, ended", [(-60, True), (-1, True), (60, False), (3600, False)])
def test_a_session_ends_exactly_at_its_expiry_whatever_the_time_zone(
    alice, settings, zone, seconds, ended
):
    settings.TIME_ZONE = zone
    phone = device(alice)

    Session.objects.update(expire_date=timezone.now() + timedelta(seconds=seconds))

    assert is_signed_out(phone) is ended


def let_time_pass(browser: Client, seconds: int) -> None:
    """Move the browser's session `seconds` into the past, as if nobody had touched it."""
    key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    store = SessionStore(session_key=key)
    data = store.load()
    if "_seen" in data:
        data["_seen"] -= seconds
    Session.objects.filter(pk=key).update(
        session_data=store.encode(data),
        expire_date=F("expire_date") - timedelta(seconds=seconds),
    )


def test_a_session_in_use_stays_and_an_idle_one_ends(alice):
    idle_limit = settings.SESSION_COOKIE_AGE
    phone = device(alice)

    # Three visits, each a minute short of the limit after the last: well past the
    # limit since signing in, but never idle that long.
    for _ in range(3):
        let_time_pass(phone, idle_limit - 60)
        assert not is_signed_out(phone)

    let_time_pass(phone, idle_limit + 1)
    assert is_signed_out(phone)


def test_a_deactivated_account_is_signed_out_at_once(alice):
    phone = device(alice)

    get_user_model().objects.filter(pk=alice.pk).update(is_active=False)

    assert is_signed_out(phone)


def test_a_password_changed_elsewhere_signs_the_other_devices_out(alice):
    phone = device(alice)

    alice.set_password("a brand new passphrase 42")
    alice.save()

    assert is_signed_out(phone)


@pytest.mark.parametrize("cookie", ["", "short", "x" * 40, "' OR 1=1 --"])
def test_a_made_up_session_cookie_is_a_visitor(db, cookie):
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = cookie

    assert is_signed_out(browser)


# Sessions are stored on the server, so only the server writes a user id into one; these
# are ids a deleted account or a damaged row could leave behind.
@pytest.mark.parametrize("user_id", ["99999", str(2**63), "-1", "0"])
def test_a_session_naming_nobody_is_a_visitor(alice, user_id):
    from django.contrib.auth import SESSION_KEY

    phone = device(alice)
    session = phone.session
    session[SESSION_KEY] = user_id
    session.save()

    assert is_signed_out(phone)


def test_staff_sign_in_to_the_admin_through_allauths_form(db):
    from django.contrib.auth import BACKEND_SESSION_KEY

    staff = get_user_model().objects.create_superuser(email="admin@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=staff, email=staff.email, primary=True, verified=True)
    browser = Client()

    sent_on = browser.get("/admin/login/?next=/admin/")
    assert sent_on.status_code == 302
    assert sent_on["Location"].startswith("/accounts/login/")
    signed = browser.post(sent_on["Location"], {"login": "admin@example.com", "password": PASSWORD})

    assert signed.status_code == 302 and signed["Location"] == "/admin/"
    assert browser.session[BACKEND_SESSION_KEY] in settings.AUTHENTICATION_BACKENDS
    assert browser.get("/admin/").status_code == 200


def test_the_admins_own_form_signs_nobody_in(db):
    get_user_model().objects.create_superuser(email="admin@example.com", password=PASSWORD)
    browser = Client()
    for guess in [f"guess {n}" for n in range(20)] + [PASSWORD]:
        response = browser.post(
            "/admin/login/?next=/admin/", {"username": "admin@example.com", "password": guess}
        )
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    assert browser.get("/admin/").status_code == 302


def test_wrong_staff_passwords_are_limited_like_everyone_elses(db):
    get_user_model().objects.create_superuser(email="admin@example.com", password=PASSWORD)
    browser = Client()
    sign_in = browser.get("/admin/login/?next=/admin/")["Location"]
    for n in range(5):
        browser.post(sign_in, {"login": "admin@example.com", "password": f"guess {n}"})

    refused = browser.post(sign_in, {"login": "admin@example.com", "password": PASSWORD})

    assert refused.status_code == 200
    assert "Too many failed login attempts" in refused.content.decode()
    assert browser.get("/admin/").status_code == 302


# allauth's words for its sessions page, which Trellis says its own way.
STOCK_SESSION_WORDS = re.compile(
    r"\bSessions\b|Started At|IP Address|\bBrowser\b|\bCurrent\b|Sign Out"
)


def main_of(response) -> str:
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def test_where_you_are_signed_in_lists_each_device_in_plain_words(alice):
    phone = Client(HTTP_USER_AGENT="Phone browser 1.0")
    assert (
        phone.post("/accounts/login/", {"login": alice.email, "password": PASSWORD}).status_code
        == 302
    )
    laptop = device(alice)

    response = laptop.get("/accounts/sessions/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Where you are signed in · Trellis</title>" in page
    main = main_of(response)
    assert "<h1>Where you are signed in</h1>" in main
    assert "Phone browser 1.0" in main
    assert main.count(">This device</strong>") == 1
    assert "Sign out everywhere else" in main
    assert STOCK_SESSION_WORDS.search(main) is None, STOCK_SESSION_WORDS.search(main)


def test_sign_out_everywhere_else_keeps_this_device_and_says_so(alice):
    phone, laptop = device(alice), device(alice)

    response = laptop.post("/accounts/sessions/", follow=True)

    assert response.status_code == 200
    assert is_signed_out(phone) and not is_signed_out(laptop)
    assert "You are signed out everywhere else. This device stays signed in." in main_of(response)
    assert "You are signed in only here." in main_of(laptop.get("/accounts/sessions/"))
