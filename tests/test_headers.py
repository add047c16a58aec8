"""Hardened HTTP on every page, and no page asks another origin for anything."""

import pytest

from tests.conftest import sign_in

PAGES_ANONYMOUS = ["/", "/course/", "/accounts/login/", "/accounts/signup/", "/healthz"]
PAGES_SIGNED_IN = ["/", "/course/", "/journal/", "/us/", "/account/", "/account/activity/"]


def first_lesson_url():
    from course.models import Lesson

    return Lesson.objects.order_by("stage__order", "order").first().get_absolute_url()


def assert_hardened(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_every_page_sends_the_security_headers(client, alice, content):
    for url in [*PAGES_ANONYMOUS, first_lesson_url()]:
        assert_hardened(client.get(url))
    client.force_login(alice)
    for url in [*PAGES_SIGNED_IN, first_lesson_url()]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_hardened(response)


@pytest.mark.django_db
def test_private_pages_are_never_stored_by_browsers_or_proxies(client, alice, content):
    client.force_login(alice)
    for url in ["/journal/", "/us/", "/account/", "/account/activity/"]:
        assert "no-store" in client.get(url).headers["Cache-Control"], url


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_csp_violation_and_no_other_origin_on_any_page(page, live_server, alice, content):
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation', "
        "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    elsewhere = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "data:"))
            else elsewhere.append(request.url)
        ),
    )
    for url in [*PAGES_ANONYMOUS[:-1], first_lesson_url()]:
        page.goto(live_server.url + url)
        assert page.evaluate("window.__csp") == [], url
    sign_in(page, live_server, alice.email)
    for url in [*PAGES_SIGNED_IN, first_lesson_url(), "/accounts/2fa/", "/accounts/sessions/"]:
        page.goto(live_server.url + url)
        assert page.evaluate("window.__csp") == [], url
    assert elsewhere == []
