"""What autosave's requests get back from the server, through the URL.

A script cannot sign in, and a redirect to the sign-in page answers 200: the journal's
script once read that page as a save and dropped the writer's words. So a signed-out
request that asks for JSON gets 401 JSON; a browser following a link still gets the
sign-in page.
"""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from course.models import Answer, Prompt
from tests.conftest import PASSWORD
from tests.factories import link

JSON = {"Accept": "application/json"}


@pytest.fixture
def prompt(content):
    prompts = Prompt.objects.filter(lesson__stage__slug="honesty")
    return prompts.order_by("lesson__order", "order")[0]


def signed_in(user) -> Client:
    browser = Client()
    response = browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, "sign-in failed"
    return browser


def test_a_signed_out_autosave_gets_401_json_and_saves_nothing(client, alice, prompt):
    response = client.post(
        f"/journal/{prompt.slug}/", {"text": "Words", "base_version": 0}, headers=JSON
    )

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["signed_out"] is True
    assert response.json()["error"]
    assert not Answer.objects.exists()


def test_an_autosave_after_the_session_ended_gets_401_json(alice, prompt):
    browser = signed_in(alice)
    Session.objects.all().delete()  # what the idle timeout does

    response = browser.post(
        f"/journal/{prompt.slug}/", {"text": "Still here", "base_version": 0}, headers=JSON
    )

    assert response.status_code == 401
    assert response.json()["signed_out"] is True
    assert not Answer.objects.exists()


def test_a_signed_out_page_request_still_goes_to_sign_in(client, prompt):
    browser_accept = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}

    response = client.get(f"/journal/{prompt.slug}/", headers=browser_accept)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/journal/{prompt.slug}/"


def test_autosave_saves_the_sharing_choice_and_says_who_can_read(alice, bob, prompt):
    link(alice, bob)
    browser = signed_in(alice)
    url = f"/journal/{prompt.slug}/"
    browser.post(url, {"text": "Mine", "base_version": 0, "sharing": "private"}, headers=JSON)

    response = browser.post(
        url, {"text": "Mine", "base_version": 1, "sharing": "shared"}, headers=JSON
    )

    assert response.status_code == 200
    data = response.json()
    assert data["version"] == 2, "a change of sharing is a new version"
    assert data["sharing"] == "shared"
    assert data["who_can_read"] == "Bob can read this."
    assert Answer.objects.get(author=alice).current_sharing == "shared"

    response = browser.post(
        url, {"text": "Mine, more", "base_version": 2, "sharing": "private"}, headers=JSON
    )

    assert response.status_code == 200
    assert response.json()["sharing"] == "private"
    assert response.json()["who_can_read"] == "Private to you. Bob cannot see it."
    assert Answer.objects.get(author=alice).current_sharing == "private"


def test_the_page_says_who_can_read_the_stored_answer(alice, bob, prompt):
    link(alice, bob)
    browser = signed_in(alice)
    url = f"/journal/{prompt.slug}/"
    browser.post(url, {"text": "Mine", "base_version": 0, "sharing": "when_both"}, headers=JSON)

    response = browser.get(url)

    assert response.status_code == 200
    assert (
        b"data-who-can-read>Bob will see this once you have both shared your answers to this"
        in response.content
    )


def test_an_autosave_from_another_persons_page_is_refused_and_saves_nothing(alice, bob, prompt):
    """Alice's page, still open on a shared computer where bob has since signed in,
    names her as its writer: bob's session must not take her words."""
    bobs_session = signed_in(bob)
    response = bobs_session.post(
        f"/journal/{prompt.slug}/",
        {"text": "Alice's words", "base_version": 0, "writer": str(alice.pk)},
        headers=JSON,
    )

    assert response.status_code == 403
    assert response.json() == {"other_writer": True}
    assert not Answer.objects.exists()

    response = bobs_session.post(
        f"/journal/{prompt.slug}/",
        {"text": "Bob's own words", "base_version": 0, "writer": str(bob.pk)},
        headers=JSON,
    )
    assert response.status_code == 200
    assert Answer.objects.get().author == bob
