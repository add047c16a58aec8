"""Agreements from couple exercises (issue 16): drafted privately, offered to the link,
agreed by the other spouse only, reviewed, revised, and ended with the link.

Personas: alice and bob are a couple, carol is a stranger, plus an anonymous visitor.
"""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import User
from course.models import Agreement, AgreementVersion, Lesson
from tests.factories import complete, link, signed_in

SECRET = "Phone open each evening after dinner, for thirty days."


@pytest.fixture
def linked(alice, bob):
    link(alice, bob)


def as_(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def soon(days: int = 30) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def draft(browser, kind: str = "openness", text: str = SECRET) -> int:
    response = browser.post(f"/agreements/new/{kind}/", {"text": text, "review_on": soon()})
    assert response.status_code == 302, response.content.decode()
    return int(response.url.strip("/").split("/")[-1])


def test_a_draft_is_private_to_its_writer(alice, bob, carol, linked):
    pk = draft(as_(alice))

    mine = as_(alice).get(f"/agreements/{pk}/")
    assert mine.status_code == 200
    assert SECRET in mine.content.decode()
    assert "Offer it to Bob" in mine.content.decode()
    for other in (bob, carol):
        assert as_(other).get(f"/agreements/{pk}/").status_code == 404
        assert SECRET not in as_(other).get("/agreements/").content.decode()
    assert Client().get(f"/agreements/{pk}/").status_code == 302


def test_offered_then_agreed_by_the_partner_and_seen_by_both(alice, bob, carol, linked):
    pk = draft(as_(alice))
    assert as_(alice).post(f"/agreements/{pk}/offer/").status_code == 302

    page = as_(bob).get(f"/agreements/{pk}/").content.decode()
    assert SECRET in page and "I agree to this wording" in page
    assert "Offered to you" in as_(bob).get("/agreements/").content.decode()
    assert as_(carol).get(f"/agreements/{pk}/").status_code == 404

    assert as_(bob).post(f"/agreements/{pk}/agree/", {"number": 1}).status_code == 302
    for person in (alice, bob):
        assert "<strong>Agreed</strong>" in as_(person).get(f"/agreements/{pk}/").content.decode()
    assert len(mail.outbox) == 0  # nothing about an agreement is ever emailed


def test_the_writer_cannot_agree_to_their_own_wording(alice, bob, linked):
    pk = draft(as_(alice))
    as_(alice).post(f"/agreements/{pk}/offer/")

    page = as_(alice).get(f"/agreements/{pk}/").content.decode()
    assert "I agree to this wording" not in page
    as_(alice).post(f"/agreements/{pk}/agree/", {"number": 1})
    assert AgreementVersion.objects.get(agreement_id=pk).agreed_at is None


def test_a_partner_cannot_agree_to_a_draft_never_offered(alice, bob, linked):
    pk = draft(as_(alice))

    assert as_(bob).post(f"/agreements/{pk}/agree/", {"number": 1}).status_code == 404
    assert AgreementVersion.objects.get(agreement_id=pk).agreed_at is None


def test_a_change_needs_agreeing_again_and_earlier_wordings_stay(alice, bob, linked):
    pk = draft(as_(alice))
    as_(alice).post(f"/agreements/{pk}/offer/")
    as_(bob).post(f"/agreements/{pk}/agree/", {"number": 1})

    changed = as_(bob).post(
        f"/agreements/{pk}/change/",
        {"text": "Messages shown twice a week.", "review_on": soon(14), "base": 1},
    )
    assert changed.status_code == 302

    alice_page = as_(alice).get(f"/agreements/{pk}/").content.decode()
    assert "Messages shown twice a week." in alice_page
    assert "Not agreed yet" in alice_page and "I agree to this wording" in alice_page
    assert "Earlier wordings (1)" in alice_page and SECRET in alice_page
    assert "I agree to this wording" not in as_(bob).get(f"/agreements/{pk}/").content.decode()
    # Agreeing to a wording one has not seen is refused.
    as_(alice).post(f"/agreements/{pk}/agree/", {"number": 1})
    assert not AgreementVersion.objects.get(agreement_id=pk, number=2).agreed
    as_(alice).post(f"/agreements/{pk}/agree/", {"number": 2})
    assert AgreementVersion.objects.get(agreement_id=pk, number=2).agreed


def test_a_stale_change_keeps_the_words_and_saves_nothing_over_the_new_one(alice, bob, linked):
    pk = draft(as_(alice))
    as_(alice).post(f"/agreements/{pk}/offer/")
    as_(bob).post(f"/agreements/{pk}/change/", {"text": "From Bob", "review_on": soon(), "base": 1})

    stale = as_(alice).post(
        f"/agreements/{pk}/change/", {"text": "Alice's late words", "review_on": soon(), "base": 1}
    )
    assert stale.status_code == 409
    assert "Alice&#x27;s late words" in stale.content.decode()
    assert AgreementVersion.objects.filter(agreement_id=pk).count() == 2


def test_either_may_step_back_from_an_agreed_wording(alice, bob, linked):
    pk = draft(as_(alice))
    as_(alice).post(f"/agreements/{pk}/offer/")
    as_(bob).post(f"/agreements/{pk}/agree/", {"number": 1})

    assert as_(bob).post(f"/agreements/{pk}/step-back/").status_code == 302
    assert not AgreementVersion.objects.get(agreement_id=pk).agreed


@pytest.mark.parametrize(
    ("review_on", "message"),
    [
        ("", "Please choose a review date."),
        ("not a date", "Please enter a date"),
        (timezone.localdate().isoformat(), "after today"),
        (soon(200), "within 92 days"),
    ],
)
def test_an_openness_agreement_is_time_limited(alice, review_on, message):
    response = as_(alice).post(
        "/agreements/new/openness/", {"text": SECRET, "review_on": review_on}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert SECRET in response.content.decode()  # the words come back, nothing lost
    assert not Agreement.objects.exists()


def test_an_unknown_kind_is_not_found(alice):
    assert as_(alice).get("/agreements/new/anything/").status_code == 404


def test_unlinking_ends_the_share(alice, bob, linked):
    pk = draft(as_(alice))
    as_(alice).post(f"/agreements/{pk}/offer/")
    as_(bob).post(
        f"/agreements/{pk}/change/", {"text": "Words from Bob", "review_on": soon(), "base": 1}
    )

    unlinked = signed_in(bob).post("/us/unlink/")
    assert unlinked.status_code == 302 and unlinked.url == "/us/"

    assert as_(bob).get(f"/agreements/{pk}/").status_code == 404
    page = as_(alice).get(f"/agreements/{pk}/").content.decode()
    assert SECRET in page and "Words from Bob" not in page
    link(alice, bob)  # linking again starts with nothing shared
    assert as_(bob).get(f"/agreements/{pk}/").status_code == 404


def test_the_export_holds_agreements_and_deleting_the_account_removes_them(alice, bob, linked):
    pk = draft(as_(alice))
    as_(alice).post(f"/agreements/{pk}/offer/")
    as_(bob).post(
        f"/agreements/{pk}/change/", {"text": "Words from Bob", "review_on": soon(), "base": 1}
    )

    alice_data = json.loads(signed_in(alice).get("/account/export.json").content)
    assert [a["text"] for a in alice_data["agreements"]] == [SECRET, "Words from Bob"]
    bob_data = json.loads(signed_in(bob).get("/account/export.json").content)
    assert [a["text"] for a in bob_data["agreements"]] == ["Words from Bob"]

    deleted = signed_in(bob).post("/account/delete/", {"confirm": "delete my account"})
    assert deleted.status_code == 302
    assert not AgreementVersion.objects.filter(written_by_id=bob.pk).exists()
    assert not User.objects.filter(pk=bob.pk).exists()
    signed_in(alice).post("/account/delete/", {"confirm": "delete my account"})
    assert not Agreement.objects.exists() and not AgreementVersion.objects.exists()


def test_the_exercise_leads_to_writing_it_down(alice, content):
    alice.role = "hurt"
    alice.save(update_fields=["role"])

    complete(
        alice, *Lesson.objects.exclude(slug="an-openness-agreement").values_list("slug", flat=True)
    )
    page = as_(alice).get("/course/an-openness-agreement/")
    assert page.status_code == 200
    assert 'href="/agreements/new/openness/"' in page.content.decode()
    assert as_(alice).get("/agreements/new/openness/").status_code == 200


def test_writing_it_down_twice_keeps_the_second_words_on_the_page(alice):
    pk = draft(as_(alice))

    again = as_(alice).post(
        "/agreements/new/openness/", {"text": "Second tab words", "review_on": soon()}
    )

    assert again.status_code == 400
    assert "Second tab words" in again.content.decode()
    assert "You have written this one already" in again.content.decode()
    assert as_(alice).get("/agreements/new/openness/").url == f"/agreements/{pk}/"


def test_agreement_pages_take_as_many_queries_with_many_wordings_as_with_one(
    alice, bob, linked, django_assert_num_queries
):
    """Every wording stays readable, so an agreement's pages must not ask the database
    once per wording: the same queries with 30 wordings by both spouses as with one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    alices, bobs = as_(alice), as_(bob)
    pk = draft(alices)
    assert alices.post(f"/agreements/{pk}/offer/").status_code == 302
    draft(bobs, kind="triggers", text="When I go quiet, I will say so.")
    urls = ("/agreements/", f"/agreements/{pk}/", f"/agreements/{pk}/change/")
    few = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert bobs.get(url).status_code == 200
        few[url] = len(queries)

    for number in range(2, 31):
        writer = alices if number % 2 else bobs
        response = writer.post(
            f"/agreements/{pk}/change/",
            {"text": f"Wording {number}: {SECRET}", "review_on": soon(), "base": number - 1},
        )
        assert response.status_code == 302, response.content.decode()
    assert AgreementVersion.objects.filter(agreement_id=pk).count() == 30

    for url in urls:
        with django_assert_num_queries(few[url]):
            response = bobs.get(url)
        assert response.status_code == 200
    assert f"Wording 30: {SECRET}" in bobs.get(f"/agreements/{pk}/").content.decode()
