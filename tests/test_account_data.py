"""The account-wide export holds everything the spouse wrote, and nothing private of anyone else."""

import datetime
import json

import pytest

from course.journal import save_answer
from course.models import SELF_FIELDS, SIGN_KEYS, CheckIn, Commitment, Prompt
from tests.conftest import PASSWORD
from tests.factories import link, signed_in


@pytest.mark.django_db
def test_export_holds_answers_checkins_commitments_and_progress(alice, bob, content):
    link(alice, bob)
    prompt = Prompt.objects.first()
    save_answer(author=alice, prompt=prompt, text="Alice's answer", base_version=0)
    save_answer(author=bob, prompt=prompt, text="Bob's private answer", base_version=0)
    scores = dict.fromkeys(SELF_FIELDS, 4)
    CheckIn.objects.create(author=alice, taken_on=datetime.date(2026, 1, 5), note="A", **scores)
    CheckIn.objects.create(
        author=bob, taken_on=datetime.date(2026, 1, 5), note="Bob note", **scores
    )
    due = datetime.date(2026, 2, 1)
    Commitment.objects.create(author=alice, text="Home by six", due_on=due)
    Commitment.objects.create(author=bob, text="Bob's promise", due_on=due)

    response = signed_in(alice).get("/account/export.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert [a["answer"] for a in data["answers"]] == ["Alice's answer"]
    assert data["answers"][0]["history"][0]["text"] == "Alice's answer"
    assert [c["note"] for c in data["checkins"]] == ["A"]
    assert data["checkins"][0]["about_me"]["says"] == 4
    assert data["checkins"][0]["about_my_spouse"] == dict.fromkeys(SIGN_KEYS)  # skipped
    assert [c["text"] for c in data["commitments"]] == ["Home by six"]
    assert "Bob" not in response.content.decode().replace('"display_name": "Bob"', "")


@pytest.mark.django_db
def test_export_asks_for_the_password_again(client, alice):
    client.force_login(alice)
    response = client.get("/account/export.json")
    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]


@pytest.mark.django_db
def test_staff_cannot_list_or_read_journal_text_in_the_admin(client, alice, content):
    from accounts.models import User

    save_answer(author=alice, prompt=Prompt.objects.first(), text="Not for staff", base_version=0)
    staff = User.objects.create_superuser(email="staff@example.com", password="x", display_name="S")
    client.force_login(staff)
    index = client.get("/admin/").content.decode()
    assert "Lessons" in index
    for hidden in ("Answers", "Answer versions", "Check ins", "Commitments"):
        assert f">{hidden}<" not in index
    for url in ("/admin/course/answer/", "/admin/course/checkin/", "/admin/course/commitment/"):
        assert client.get(url).status_code == 404
    assert "Not for staff" not in client.get("/admin/course/prompt/").content.decode()


@pytest.mark.django_db
def test_sign_ins_and_failed_attempts_appear_on_the_activity_page(client, alice):
    client.post("/accounts/login/", {"login": alice.email, "password": "wrong password"})
    client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    page = client.get("/account/activity/").content.decode()
    assert "Failed sign-in attempt" in page
    assert "Signed in" in page
