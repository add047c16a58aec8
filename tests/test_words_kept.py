"""A form sent from a page that no longer matches the session (signed out since, or
signed in again in another tab) saves nothing, and must not lose the words either: the
person gets a calm page saying why, with what they wrote. Error pages speak plainly."""

import pytest
from django.test import Client

from course.models import Commitment
from tests.factories import signed_in

WORDS = "I will come home by six on Fridays."


@pytest.fixture
def production(settings):
    settings.DEBUG = False


def test_a_form_sent_after_signing_in_again_elsewhere_keeps_its_words(alice):
    """Tab 1 has the commitments page; in tab 2 she signs out and in again, which gives
    the browser a new CSRF token. Tab 1's form then fails the CSRF check."""
    tab = Client(enforce_csrf_checks=True)
    tab.force_login(alice)
    tab.get("/commitments/")
    stale_token = tab.cookies["csrftoken"].value
    tab.cookies["csrftoken"] = "x" * 32  # what signing in again in tab 2 leaves behind

    response = tab.post(
        "/commitments/new/",
        {"csrfmiddlewaretoken": stale_token, "text": WORDS, "due_on": "2030-01-01"},
    )

    assert response.status_code == 403
    page = response.content.decode()
    assert "not saved" in page
    assert WORDS in page
    assert "CSRF" not in page
    assert not Commitment.objects.exists()


def test_a_form_sent_after_being_signed_out_keeps_its_words(alice):
    response = Client().post("/commitments/new/", {"text": WORDS, "due_on": "2030-01-01"})

    assert response.status_code == 401
    page = response.content.decode()
    assert "signed out" in page
    assert WORDS in page
    assert "/accounts/login/" in page
    assert not Commitment.objects.exists()


def test_a_check_in_note_sent_signed_out_is_kept(alice):
    response = Client().post("/check-ins/new/", {"note": "A hard week, but we talked."})

    assert response.status_code == 401
    assert "A hard week, but we talked." in response.content.decode()


def test_signing_in_again_returns_to_the_page_the_form_was_on_not_a_405(alice):
    """The form posts to /commitments/new/, which takes only forms: signing in and
    landing there answered 405. The sign-in link leads back to the page instead."""
    response = Client().post(
        "/commitments/new/",
        {"text": WORDS, "due_on": "2030-01-01"},
        headers={"Referer": "http://testserver/commitments/"},
    )

    assert response.status_code == 401
    assert 'href="/accounts/login/?next=/commitments/"' in response.content.decode()


def test_an_unknown_address_is_a_plain_words_404(production, alice):
    response = signed_in(alice).get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "could not find" in page
    assert "The requested resource" not in page
