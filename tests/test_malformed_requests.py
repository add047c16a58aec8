"""Malformed requests get a 4xx, never a 500, and leave no traceback in the server log.

Run as a production server would: DEBUG off and CSRF checked, as for a real browser
(Django's test client skips the CSRF check unless told otherwise, which hid a 500:
the 400 page's own CSRF check read the unreadable body a second time).
"""

import io
import logging

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import lesson_slugs, prompt_slugs

FORM = "application/x-www-form-urlencoded"

# (name, content type, body, refused): a refused body is one Django will not read (400);
# the others it reads leniently (an unknown charset as UTF-8, a broken part as nothing).
BODIES = [
    ("form in utf-16", f"{FORM}; charset=utf-16", "text=hi&base_version=0".encode("utf-16"), True),
    ("form in latin-1", f"{FORM}; charset=latin-1", "text=caf\xe9".encode("latin-1"), True),
    ("multipart without a boundary", "multipart/form-data", b"text=hello", True),
    ("multipart with an empty boundary", "multipart/form-data; boundary=", b"--\r\n", True),
    ("too many fields", FORM, "&".join(f"f{n}=1" for n in range(1100)).encode(), True),
    ("form in an unknown charset", f"{FORM}; charset=klingon", b"text=hello", False),
    ("multipart, broken", "multipart/form-data; boundary=xyz", b"--xyz\r\nnonsense", False),
]


@pytest.fixture
def server_log():
    """What the configured log handler writes, as the server's log would hold it."""
    handlers = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert handlers, "the console handler from settings.LOGGING is missing"
    buffer = io.StringIO()
    previous = [handler.setStream(buffer) for handler in handlers]
    yield buffer
    for handler, stream in zip(handlers, previous, strict=True):
        handler.setStream(stream)


@pytest.fixture
def production(settings):
    settings.DEBUG = False


def browser_with_csrf_cookie(user=None) -> tuple[Client, str]:
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if user is not None:
        browser.force_login(user)
    browser.get("/account/" if user else "/accounts/login/")
    return browser, browser.cookies[settings.CSRF_COOKIE_NAME].value


def post_urls(world_prompt: str) -> list[str]:
    return [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        f"/journal/{world_prompt}/",
        "/account/",
        "/us/code/",
        "/check-ins/new/",
    ]


@pytest.mark.parametrize("name, content_type, body, refused", BODIES, ids=[b[0] for b in BODIES])
@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "signed-in"])
def test_an_unreadable_body_is_a_400_with_no_traceback(
    production, server_log, alice, content, name, content_type, body, refused, signed_in
):
    prompt = prompt_slugs(lesson_slugs("honesty")[0])[0]
    browser, token = browser_with_csrf_cookie(alice if signed_in else None)

    for url in post_urls(prompt):
        response = browser.generic(
            "POST", url, body, content_type=content_type, HTTP_X_CSRFTOKEN=token
        )
        expected = response.status_code == 400 if refused else response.status_code < 500
        assert expected, f"{name} to {url}: {response.status_code}"

    log = server_log.getvalue()
    assert "Traceback" not in log, log
    if refused:
        assert "WARNING" in log or "ERROR" in log, "is the handler the one that writes the log?"


def test_a_body_over_the_size_limit_is_a_400_with_no_traceback(
    production, server_log, alice, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    browser, token = browser_with_csrf_cookie(alice)

    response = browser.post("/account/", {"display_name": "x" * 5000}, HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 400
    assert "Traceback" not in server_log.getvalue()


def test_an_unknown_host_is_a_400_with_no_traceback(production, server_log, db):
    response = Client(raise_request_exception=False).get("/", headers={"host": "evil.example"})

    assert response.status_code == 400
    assert "Traceback" not in server_log.getvalue()


def test_the_400_page_says_what_happened_in_plain_words(production, alice):
    browser, _ = browser_with_csrf_cookie(alice)

    response = browser.generic(
        "POST", "/account/", "a=b".encode("utf-16"), content_type=f"{FORM}; charset=utf-16"
    )

    assert response.status_code == 400
    assert "could not read" in response.content.decode()
