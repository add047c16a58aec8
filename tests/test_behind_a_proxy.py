"""Behind the README's proxy (nginx or Caddy in front of gunicorn) every request comes
from the proxy's address. With ALLAUTH_TRUSTED_PROXY_COUNT=1 each visitor is known by
the address the proxy saw, so one person's failed tries never lock anyone else out, and
the activity page shows the spouse's own address."""

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import AuditEvent
from accounts.services import create_invitation
from tests.conftest import PASSWORD

PROXY = "127.0.0.1"
WRONG_CODE = "ZZZZ-ZZZZ"


@pytest.fixture(autouse=True)
def behind_one_proxy(settings, db):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    cache.clear()
    yield
    cache.clear()


def through_proxy(visitor: str, user=None, sent_by_visitor: str = "") -> Client:
    """A browser at `visitor`'s address; the proxy appends that address to whatever
    X-Forwarded-For the visitor sent."""
    forwarded = f"{sent_by_visitor}, {visitor}" if sent_by_visitor else visitor
    browser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    if user is not None:
        browser.force_login(user)
    return browser


def test_two_visitors_behind_the_proxy_have_their_own_code_limits(alice, carol, bob):
    created = create_invitation(inviter=alice)
    guesser = through_proxy("203.0.113.1", carol)
    for _ in range(5):
        assert guesser.post("/us/code/", {"code": WRONG_CODE}).status_code == 200
    assert guesser.post("/us/code/", {"code": created.pretty_code}).status_code == 429

    response = through_proxy("203.0.113.2", bob).post("/us/code/", {"code": created.pretty_code})

    assert response.status_code == 200
    assert "Alice invited you" in response.content.decode()


def test_a_visitor_cannot_escape_the_code_limit_by_forging_forwarded_for(alice, carol, bob):
    created = create_invitation(inviter=alice)
    for n in range(5):
        guesser = through_proxy("203.0.113.1", carol, sent_by_visitor=f"198.51.100.{n}")
        guesser.post("/us/code/", {"code": WRONG_CODE})

    # Another account at the same address, with yet another forged address in front.
    forged = through_proxy("203.0.113.1", bob, sent_by_visitor="198.51.100.99")
    response = forged.post("/us/code/", {"code": created.pretty_code})

    assert response.status_code == 429


def test_failed_sign_ins_from_one_visitor_never_lock_out_another(alice):
    attacker = through_proxy("203.0.113.1")
    for n in range(11):
        refused = attacker.post(
            "/accounts/login/", {"login": f"guess{n}@example.com", "password": "wrong"}
        )
    # allauth's per-address limit on failed sign-ins (ten a minute) has applied.
    assert "Too many failed login attempts" in refused.content.decode()

    signed_in = through_proxy("203.0.113.2").post(
        "/accounts/login/", {"login": alice.email, "password": PASSWORD}
    )

    assert signed_in.status_code == 302


def test_the_activity_page_shows_the_spouses_address_not_the_proxys(alice):
    browser = through_proxy("203.0.113.7")
    browser.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})

    event = AuditEvent.objects.get(user=alice, kind=AuditEvent.Kind.SIGNED_IN)

    assert event.ip_address == "203.0.113.7"
    assert "203.0.113.7" in browser.get("/account/activity/").content.decode()
