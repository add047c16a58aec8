"""The journal offers each spouse the questions for where they stand (issue 16), as the
lesson page does (course.roles), and keeps every answer they wrote within reach.

Personas: alice and bob are a couple. The lesson is synthetic (tests.factories.ROLE_LESSON):
one question for everyone and one for each role.
"""

import pytest
from django.test import Client

from accounts.models import Role
from course.models import Answer
from tests.factories import publish_role_lesson

ALL_Q, HURT_Q, BROKE_Q = "two-roles-all", "two-roles-hurt", "two-roles-broke"


@pytest.fixture
def lesson_url(settings, tmp_path, db) -> str:
    return publish_role_lesson(settings, tmp_path)


def journal_as(user, role: str) -> str:
    user.role = role
    user.save(update_fields=["role"])
    browser = Client()
    browser.force_login(user)
    response = browser.get("/journal/")
    assert response.status_code == 200
    return response.content.decode()


def offered(html: str) -> set[str]:
    return {slug for slug in (ALL_Q, HURT_Q, BROKE_Q) if f'href="/journal/{slug}/"' in html}


def test_a_hurt_spouse_is_offered_their_questions_not_the_other_roles(lesson_url, alice):
    html = journal_as(alice, Role.HURT)

    assert offered(html) == {ALL_Q, HURT_Q}
    assert "For you" in html


def test_a_spouse_who_broke_trust_is_offered_the_reverse(lesson_url, bob):
    assert offered(journal_as(bob, Role.BROKE)) == {ALL_Q, BROKE_Q}


@pytest.mark.parametrize("role", [Role.MUTUAL, ""])
def test_both_hurt_or_not_said_is_offered_both_roles_questions_labelled(lesson_url, alice, role):
    html = journal_as(alice, role)

    assert offered(html) == {ALL_Q, HURT_Q, BROKE_Q}
    assert "For the spouse who was hurt" in html
    assert "For the spouse who broke trust" in html


def test_building_trust_is_offered_neither_roles_questions(lesson_url, alice):
    assert offered(journal_as(alice, Role.BUILDING)) == {ALL_Q}


def test_an_answer_to_the_other_roles_question_stays_in_the_journal(lesson_url, alice):
    Answer.objects.create(author=alice, prompt_id=BROKE_Q, text="Words I wrote before.")

    html = journal_as(alice, Role.HURT)

    assert offered(html) == {ALL_Q, HURT_Q, BROKE_Q}
    assert "Words I wrote before." in html
    assert "For the spouse who broke trust" in html
