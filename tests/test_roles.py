"""Where a spouse stands (issue 16): chosen privately, changing what a lesson opens first.

Personas: alice and bob are a couple, carol is a stranger, plus an anonymous visitor.
The lesson under test is synthetic (tests.factories.ROLE_LESSON): shared text, a part
and a question for each role, and an exercise.
"""

import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from tests.factories import ROLE_LESSON, complete, link, publish_role_lesson, signed_in

HURT_LABEL = "For you, as the spouse who was hurt"
BROKE_LABEL = "For you, as the spouse who broke trust"
HURT_PART, BROKE_PART = "Hurt-part:", "Broke-part:"
HURT_Q, BROKE_Q, ALL_Q = "two-roles-hurt", "two-roles-broke", "two-roles-all"


@pytest.fixture
def lesson_url(settings, tmp_path, db) -> str:
    return publish_role_lesson(settings, tmp_path)


def page_as(user, url: str) -> str:
    browser = Client()
    if user is not None:
        browser.force_login(user)
    response = browser.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def with_role(user, role: str):
    user.role = role
    user.save(update_fields=["role"])
    return user


def folded(html: str) -> str:
    """Everything the page keeps behind a closed <details>."""
    return "".join(re.findall(r"<details.*?</details>", html, flags=re.S))


def answer_forms(html: str) -> set[str]:
    return set(re.findall(r'data-prompt="([^"]+)"', html))


def test_a_hurt_spouse_reads_their_part_and_opens_the_other_by_asking(lesson_url, alice):
    html = page_as(with_role(alice, Role.HURT), lesson_url)

    assert HURT_LABEL in html
    assert HURT_PART in html and HURT_PART not in folded(html)
    assert BROKE_PART in folded(html)
    assert "For the spouse who broke trust</span>: <span" in folded(html)
    assert "read to understand your spouse" in folded(html)
    assert answer_forms(html) == {ALL_Q, HURT_Q}
    assert BROKE_Q not in html


def test_a_spouse_who_broke_trust_reads_the_reverse(lesson_url, bob):
    html = page_as(with_role(bob, Role.BROKE), lesson_url)

    assert BROKE_LABEL in html
    assert BROKE_PART in html and BROKE_PART not in folded(html)
    assert HURT_PART in folded(html)
    assert "For the spouse who was hurt</span>" in folded(html)
    assert answer_forms(html) == {ALL_Q, BROKE_Q}
    assert HURT_Q not in html


def test_both_hurt_reads_both_parts_as_theirs_and_answers_every_question(lesson_url, alice):
    html = page_as(with_role(alice, Role.MUTUAL), lesson_url)

    assert "For you, as a spouse who was hurt" in html
    assert "For you, as a spouse who broke trust" in html
    assert folded(html) == ""
    assert answer_forms(html) == {ALL_Q, HURT_Q, BROKE_Q}


def test_no_breach_folds_both_parts_and_asks_the_shared_questions(lesson_url, alice):
    html = page_as(with_role(alice, Role.BUILDING), lesson_url)

    assert HURT_PART in folded(html) and BROKE_PART in folded(html)
    assert "if it helps you understand" in folded(html)
    assert answer_forms(html) == {ALL_Q}


def test_no_breach_is_told_why_a_lesson_asks_them_nothing(settings, tmp_path, alice):
    only_roles = ROLE_LESSON.replace("1. What did you notice together? {#two-roles-all}\n", "")
    url = publish_role_lesson(settings, tmp_path, only_roles)

    html = page_as(with_role(alice, Role.BUILDING), url)

    assert answer_forms(html) == set()
    assert "questions are written for a spouse who was hurt or who broke trust" in html
    assert 'href="/account/where-you-stand/"' in html


@pytest.mark.parametrize("reader", ["skipped", "visitor"])
def test_who_has_not_said_reads_every_part_labelled_and_every_question(lesson_url, alice, reader):
    html = page_as(alice if reader == "skipped" else None, lesson_url)

    assert folded(html) == ""
    for label, part in [
        ("For the spouse who was hurt", HURT_PART),
        ("For the spouse who broke trust", BROKE_PART),
    ]:
        assert re.search(rf">{label}</p>\s*<div class=\"prose\">.*?{part}", html, flags=re.S)
    for slug in (ALL_Q, HURT_Q, BROKE_Q):
        assert f'id="prompt-{slug}"' in html
    if reader == "skipped":
        assert answer_forms(html) == {ALL_Q, HURT_Q, BROKE_Q}


def test_an_exercise_is_its_own_section_to_do_together(lesson_url, alice):
    html = page_as(alice, lesson_url)

    assert re.search(
        r'<section class="exercise prose" aria-labelledby="together-\d+">\s*'
        r'<p class="exercise-kicker">Do this together</p>\s*<h2 id="together-\d+">'
        r"A ten-minute talk</h2>",
        html,
    )
    assert "Shared-part:" in html
    assert ":::" not in html


def test_questions_waiting_on_the_home_page_follow_the_role(lesson_url, alice):
    with_role(alice, Role.HURT)
    complete(alice, "two-roles")

    html = page_as(alice, "/")

    assert "What do you need this week?" in html
    assert "What can you offer this week?" not in html


# --- choosing, skipping, changing -------------------------------------------------------


def test_the_home_page_asks_once_and_only_the_spouse_answers(alice):
    assert "Where do you stand?" in page_as(alice, "/")
    browser = Client()
    browser.force_login(alice)

    response = browser.post("/account/where-you-stand/", {"role": "hurt", "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    alice.refresh_from_db()
    assert alice.role == Role.HURT
    assert alice.role_asked_at is not None
    assert "Where do you stand?" not in page_as(alice, "/")
    assert "I was hurt" in page_as(alice, "/account/")


def test_skipping_is_remembered_and_loses_nothing(alice):
    browser = Client()
    browser.force_login(alice)

    response = browser.post("/account/where-you-stand/", {"skip": "1", "next": "/"})

    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.role, alice.role_asked_at is not None) == ("", True)
    assert "Where do you stand?" not in page_as(alice, "/")
    assert "You have not said" in page_as(alice, "/account/")


def test_nothing_is_ticked_for_someone_never_asked(alice):
    assert " checked" not in page_as(alice, "/account/where-you-stand/")


def test_the_role_can_be_changed_later_from_the_account(alice):
    with_role(alice, Role.HURT)
    alice.role_asked_at = timezone.now()
    alice.save(update_fields=["role_asked_at"])
    account = page_as(alice, "/account/")
    assert 'href="/account/where-you-stand/"' in account
    form = page_as(alice, "/account/where-you-stand/")
    assert re.search(r'value="hurt" id="role-\d" checked', form)
    browser = Client()
    browser.force_login(alice)

    response = browser.post("/account/where-you-stand/", {"role": "mutual"})

    assert (response.status_code, response["Location"]) == (302, "/account/")
    alice.refresh_from_db()
    assert alice.role == Role.MUTUAL


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/"])
def test_the_role_page_never_sends_anyone_off_site(alice, next_url):
    browser = Client()
    browser.force_login(alice)

    response = browser.post("/account/where-you-stand/", {"role": "hurt", "next": next_url})

    assert (response.status_code, response["Location"]) == (302, "/account/")


def test_an_unknown_role_is_refused_and_changes_nothing(alice):
    with_role(alice, Role.BROKE)
    browser = Client()
    browser.force_login(alice)

    response = browser.post("/account/where-you-stand/", {"role": "villain"})

    assert response.status_code == 400
    assert "Please choose one of the answers below" in response.content.decode()
    alice.refresh_from_db()
    assert alice.role == Role.BROKE


def test_a_visitor_is_sent_to_sign_in_from_the_role_page(client, db):
    response = client.post("/account/where-you-stand/", {"role": "hurt"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/account/where-you-stand/").status_code == 302


def test_the_role_comes_with_the_spouses_own_data(alice):
    with_role(alice, Role.BROKE)

    response = signed_in(alice).get("/account/export.json")

    assert response.status_code == 200
    assert json.loads(response.content)["account"]["role"] == "broke"


def test_the_partner_never_sees_where_their_spouse_stands(lesson_url, alice, bob, carol):
    link(alice, bob)
    with_role(alice, Role.BROKE)
    complete(alice, "two-roles")

    for url in ["/", "/us/", "/course/", lesson_url, "/journal/", "/account/"]:
        html = page_as(bob, url)
        assert "I broke trust" not in html, url
        assert BROKE_LABEL not in html, url
    assert "You have not said" in page_as(bob, "/account/")


def test_staff_do_not_see_where_a_spouse_stands_in_the_admin(alice):
    from accounts.models import User

    with_role(alice, Role.BROKE)
    staff = User.objects.create_superuser(email="staff@example.com", password="x", display_name="S")
    browser = Client()
    browser.force_login(staff)

    for url in ("/admin/accounts/user/", f"/admin/accounts/user/{alice.pk}/change/"):
        response = browser.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "I broke trust" not in html, url
        assert 'name="role"' not in html, url
