"""Trust check-ins and commitments through their URLs: bad input, markup shown as text,
who sees what (alice and bob are linked, carol is a stranger), and query counts.

alice checks in and makes commitments; bob is her spouse, who sees only what she shares
and may confirm, but never mark, her commitments; carol sees nothing of either.
"""

import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.links import couple_of
from accounts.services import accept_invitation, create_invitation, unlink
from course.checkins import record_checkin
from course.commitments import (
    CommitmentRefused,
    answer_proposal,
    make_commitment,
    mark_commitment,
    propose_commitment,
)
from course.models import SELF_FIELDS, SIGN_KEYS, SPOUSE_FIELDS, CheckIn, Commitment
from tests.factories import signed_in as reauthenticated

MARKUP = '<script>alert("boo")</script><b>bold</b>'
ESCAPED = "&lt;script&gt;alert(&quot;boo&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;"


def today():
    return timezone.localdate()


def days_ago(days: int):
    return today() - timedelta(days=days)


def ratings(value: int = 4, **overrides) -> dict:
    return {**dict.fromkeys(SIGN_KEYS, value), **overrides}


def checkin(user, days: int = 0, value: int = 4, **extra) -> CheckIn:
    made, _ = record_checkin(
        author=user, taken_on=days_ago(days), self_scores=ratings(value), **extra
    )
    return made


def signed_in(user) -> Client:
    """A browser signed in as `user`, past its first request, so that query counts
    compare like with like."""
    browser = Client()
    browser.force_login(user)
    assert browser.get("/healthz").status_code == 200
    return browser


@pytest.fixture
def couple(alice, bob):
    created = create_invitation(inviter=alice)
    accept_invitation(invitation=created.invitation, user=bob)
    return alice, bob


def form_ratings(self_value: int | None = 4, spouse_value: int | None = None, **overrides):
    """Form data: both columns (`self_says`, `spouse_says`, ...), None leaving one empty."""
    data = {}
    for fields, value in ((SELF_FIELDS, self_value), (SPOUSE_FIELDS, spouse_value)):
        if value is not None:
            data |= dict.fromkeys(fields, value)
    return data | overrides


def post_checkin(browser, ratings_given=None, **data):
    given = form_ratings() if ratings_given is None else ratings_given
    payload = {"taken_on": today().isoformat(), **given, **data}
    return browser.post("/check-ins/new/", {k: v for k, v in payload.items() if v is not None})


# --- taking a check-in ----------------------------------------------------------------------


def test_the_form_asks_about_me_and_about_my_spouse_never_about_we(alice):
    response = signed_in(alice).get("/check-ins/new/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<fieldset class="rating-group') == 14
    assert page.count('<fieldset class="rating-column"') == 2
    assert "I follow through on what I say." in page
    assert "My spouse follows through on what they say." in page
    assert "We say what we mean" not in page and "between you" not in page
    assert f'value="{today().isoformat()}"' in page


def test_a_linked_spouse_rates_their_partner_by_name(couple):
    alice, bob = couple
    bob.display_name = "<b>Bob</b>"
    bob.save()
    page = signed_in(alice).get("/check-ins/new/").content.decode()
    assert "<legend>What you see in &lt;b&gt;Bob&lt;/b&gt;</legend>" in page
    assert "<legend>What you see in yourself</legend>" in page


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("hurt", "After being hurt, rating yourself, or your spouse, may not feel right yet."),
        ("broke", "You can leave one part empty"),
        ("", "You can leave one part empty"),
    ],
)
def test_each_role_is_told_kindly_that_a_part_may_be_left_empty(alice, role, expected):
    alice.role = role
    alice.save()
    page = signed_in(alice).get("/check-ins/new/").content.decode()
    assert expected in page


def test_a_check_in_shows_its_numbers_then_a_chart_once_there_are_two(alice):
    browser = signed_in(alice)
    response = post_checkin(
        browser,
        form_ratings(4, 3, self_says=2),
        taken_on=days_ago(3).isoformat(),
        note="A calm week.",
    )
    assert response.status_code == 302

    saved = CheckIn.objects.get(author=alice)
    assert (saved.taken_on, saved.self_says, saved.self_follows) == (days_ago(3), 2, 4)
    assert saved.spouse_follows == 3
    assert not saved.shared and not saved.note_shared
    response = browser.get("/check-ins/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" not in page  # one point makes no line, and no grid of eight empty charts
    assert "One check-in so far. Its numbers are in the table below." in page
    assert "3.7" in page and "3.0" in page  # (2 + 6 * 4) / 7 about me; 3 about my spouse
    assert "A calm week." in page

    post_checkin(browser, taken_on=days_ago(1).isoformat())
    page = browser.get("/check-ins/").content.decode()
    assert 'role="img"' in page and '<title id="chart-overall-title">' in page
    assert page.count("<svg") == 8  # the averages, then one small chart per sign


def test_either_part_may_be_skipped_whole(alice):
    browser = signed_in(alice)
    response = post_checkin(browser, form_ratings(None, 2))
    assert response.status_code == 302
    saved = CheckIn.objects.get(author=alice)
    assert saved.self_scores is None and saved.spouse_average == 2
    page = browser.get("/check-ins/").content.decode()
    assert "not rated" in page


def test_a_check_in_with_nothing_rated_asks_again_and_keeps_the_note(alice):
    response = post_checkin(signed_in(alice), {}, note="Too tired to rate tonight.")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please rate yourself, your spouse, or both." in page
    assert "Too tired to rate tonight.</textarea>" in page
    assert not CheckIn.objects.exists()


def test_missing_and_out_of_range_ratings_keep_what_was_given_and_mark_the_gaps(alice):
    browser = signed_in(alice)
    given = form_ratings(
        4, None, self_says=5, self_follows=7, self_seeks=None, self_priority="many"
    )
    response = post_checkin(browser, given, note="Still here.")

    assert response.status_code == 400
    assert not CheckIn.objects.exists()
    page = response.content.decode()
    assert re.search(r'<input type="radio" name="self_says" value="5"[^>]*checked', page)
    assert re.search(r'<input type="radio" name="self_avoids" value="4"[^>]*checked', page)
    for gap in ("self_follows", "self_seeks", "self_priority"):
        assert f'class="rating-group field-invalid" id="sign-{gap}"' in page
        assert f'href="#sign-{gap}"' in page  # listed in the summary at the top
    assert 'class="rating-group field-invalid" id="sign-self_says"' not in page
    assert 'field-invalid" id="sign-spouse_' not in page  # the skipped part is not a gap
    assert page.count("Please choose a rating from 1 to 5") == 2
    assert page.count("Please rate this one too, or leave every rating about yourself") == 1
    assert "Still here.</textarea>" in page


def test_a_check_in_cannot_be_dated_in_the_future(alice):
    response = post_checkin(signed_in(alice), taken_on=(today() + timedelta(days=1)).isoformat())
    assert response.status_code == 400
    assert "cannot be dated in the future" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_a_second_check_in_on_the_same_day_updates_the_first(alice):
    browser = signed_in(alice)
    post_checkin(browser, form_ratings(4, 4, self_says=1))
    response = post_checkin(browser, form_ratings(4, None, self_says=5))
    assert response.status_code == 302
    saved = CheckIn.objects.get(author=alice)
    assert saved.self_says == 5 and saved.spouse_scores is None


def test_notes_with_markup_are_shown_as_text(alice):
    browser = signed_in(alice)
    post_checkin(browser, note=MARKUP)
    page = browser.get("/check-ins/").content.decode()
    assert ESCAPED in page
    assert "<script>alert" not in page and "<b>bold</b>" not in page


def test_notes_are_encrypted_in_the_database(alice):
    checkin(alice, note="the blue lighthouse")
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM course_checkin")
        (raw,) = cursor.fetchone()
    assert raw.startswith("gAAAA") and "lighthouse" not in raw


@pytest.mark.parametrize(
    "ratings_stored",
    [
        {**dict.fromkeys(SELF_FIELDS, 3), "self_invests": 6},  # out of range
        {**dict.fromkeys(SELF_FIELDS, 3), "self_invests": None},  # half a column
        {},  # nobody rated
    ],
)
def test_the_database_refuses_what_the_form_refuses(alice, ratings_stored):
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(author=alice, taken_on=today(), **ratings_stored)


def test_the_chart_draws_no_inline_styles_and_escapes_names(couple):
    alice, bob = couple
    bob.display_name = "<b>Bob</b>"
    bob.save()
    checkin(alice, days=2)
    checkin(bob, days=3, shared=True)
    checkin(bob, days=1, shared=True)
    page = signed_in(alice).get("/us/").content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "style" not in svg
    assert "&lt;b&gt;Bob&lt;/b&gt;" in svg and "<b>Bob" not in svg


def test_us_draws_a_chart_only_once_a_line_has_two_points(couple):
    alice, bob = couple
    checkin(alice, days=2, value=2)
    checkin(bob, days=1, value=3, shared=True)
    browser = signed_in(alice)
    response = browser.get("/us/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" not in page  # one point each: the numbers, in the table
    assert "2.0" in page and "3.0" in page

    checkin(alice, days=0, value=4)
    page = browser.get("/us/").content.decode()
    assert page.count("<svg") == 1  # how each sees themselves; nobody rated the other yet
    assert 'id="chart-us-self"' in page


# --- the home page's gentle suggestion -------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (None, "Take your first check-in"),
        (10, "It has been 10 days since your last check-in"),
        (2, "Your last check-in was 2 days ago"),
    ],
)
def test_home_suggests_a_weekly_check_in(alice, days, expected):
    if days is not None:
        checkin(alice, days=days)
    assert expected in signed_in(alice).get("/").content.decode()


# --- who sees check-ins --------------------------------------------------------------------


def share(browser, made: CheckIn, sharing: str):
    return browser.post(f"/check-ins/{made.pk}/sharing/", {"sharing": sharing})


def test_the_partner_sees_only_the_check_ins_shared_one_by_one(couple):
    alice, bob = couple
    older = checkin(alice, days=7, value=2, note="My private worry.")
    newer = checkin(alice, days=1, value=4, note="A better week.")
    checkin(bob, days=3, value=3)
    bob_browser, alice_browser = signed_in(bob), signed_in(alice)

    page = bob_browser.get("/us/").content.decode()
    assert "appear here one by one, as they choose to share them" in page
    assert "4.0" not in page and "2.0" not in page

    response = share(alice_browser, newer, "scores")
    assert response.status_code == 302
    assert response["Location"] == f"/check-ins/#checkin-{newer.pk}"
    page = bob_browser.get("/us/").content.decode()
    assert "4.0" in page and "2.0" not in page  # this one, not the one before it
    assert "A better week." not in page and "My private worry." not in page
    assert list(CheckIn.objects.visible_to(bob).filter(author=alice)) == [newer]

    share(alice_browser, newer, "scores-and-note")
    page = bob_browser.get("/us/").content.decode()
    assert "A better week." in page and "My private worry." not in page

    share(alice_browser, newer, "private")
    page = bob_browser.get("/us/").content.decode()
    assert "4.0" not in page and "A better week." not in page
    older.refresh_from_db()
    assert not older.shared


def test_no_control_shares_all_history_at_once(couple):
    alice, _ = couple
    checkin(alice, days=7)
    shared = checkin(alice, days=1, shared=True, note_shared=True, note="Shared.")
    browser = signed_in(alice)
    page = browser.get("/check-ins/").content.decode()
    assert "Share my scores" not in page and "Share my notes" not in page
    bulk = re.findall(r'action="/check-ins/sharing/".*?</form>', page, re.S)
    assert len(bulk) == 1 and 'value="private"' in bulk[0]  # only ever "all private"
    assert f'action="/check-ins/{shared.pk - 1}/sharing/"' in page  # one by one, in its row

    for old_style in ({"what": "scores", "share": "on"}, {"sharing": "scores"}):
        response = browser.post("/check-ins/sharing/", old_style)
        assert response.status_code == 302
        assert CheckIn.objects.filter(author=alice, shared_with__isnull=False).count() == 1

    response = browser.post("/check-ins/sharing/", {"sharing": "private"})
    assert response.status_code == 302
    shared.refresh_from_db()
    assert not shared.shared and not shared.note_shared


def test_only_the_author_shares_a_check_in(couple, carol):
    alice, bob = couple
    made = checkin(alice, days=1, shared=True)  # bob sees it, and still may not change it
    for person in (bob, carol):
        for choice in ("private", "scores-and-note"):
            assert share(signed_in(person), made, choice).status_code == 404
    assert share(Client(), made, "private").status_code == 302  # to sign in
    assert share(signed_in(alice), made, "everything").status_code == 302
    made.refresh_from_db()
    assert made.shared and not made.note_shared


def test_sharing_before_linking_says_so_and_shares_nothing(alice):
    made = checkin(alice, days=1)
    browser = signed_in(alice)
    response = share(browser, made, "scores")
    assert response.status_code == 302
    assert "once your account is linked" in browser.get("/check-ins/").content.decode()
    made.refresh_from_db()
    assert not made.shared


def test_a_stranger_sees_no_check_ins_and_unlinking_ends_sharing(couple, carol):
    alice, bob = couple
    checkin(alice, shared=True, note_shared=True, note="For Bob only.")
    assert CheckIn.objects.visible_to(carol).filter(author=alice).count() == 0
    assert CheckIn.objects.visible_to(bob).filter(author=alice).count() == 1
    assert "For Bob only." not in signed_in(carol).get("/us/").content.decode()

    unlink(user=alice)
    assert CheckIn.objects.visible_to(bob).filter(author=alice).count() == 0
    assert "For Bob only." not in signed_in(bob).get("/us/").content.decode()


def test_check_in_pages_need_signing_in(client):
    for url in ("/check-ins/", "/check-ins/new/", "/commitments/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- deleting a check-in ------------------------------------------------------------------


def test_the_author_deletes_one_check_in_after_confirming(couple):
    alice, _ = couple
    kept = checkin(alice, days=3, note="Keep this one.")
    doomed = checkin(alice, days=1, note="A week I would rather forget.", shared=True)
    browser = signed_in(alice)
    url = f"/check-ins/{doomed.pk}/delete/"

    page = browser.get("/check-ins/").content.decode()
    assert f'href="{url}"' in page and f'href="/check-ins/{kept.pk}/delete/"' in page

    confirm = browser.get(url)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert f"Delete your check-in for {doomed.taken_on.day} " in page
    assert "Bob will no longer see it" in page
    assert "A week I would rather forget." not in page  # the date names it; the note stays put
    assert CheckIn.objects.filter(pk=doomed.pk).exists()  # looking is not deleting

    response = browser.post(url, follow=True)
    assert response.redirect_chain == [("/check-ins/", 302)]
    page = response.content.decode()
    assert f"Your check-in for {doomed.taken_on.day} " in page and " is deleted." in page
    assert "A week I would rather forget." not in page and "Keep this one." in page
    assert list(CheckIn.objects.filter(author=alice)) == [kept]
    assert browser.post(url).status_code == 404  # a second click finds nothing to delete


def test_only_the_author_can_see_or_use_a_check_ins_delete_page(couple, carol, client):
    alice, bob = couple
    shared = checkin(alice, shared=True, note_shared=True, note="For Bob only.")
    url = f"/check-ins/{shared.pk}/delete/"
    assert (
        CheckIn.objects.visible_to(bob).filter(author=alice).count() == 1
    )  # bob may see it, yet not delete it

    for someone in (bob, carol):
        browser = signed_in(someone)
        assert browser.get(url).status_code == 404
        response = browser.post(url)
        assert response.status_code == 404
        assert "For Bob only." not in response.content.decode()
    response = client.post(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert CheckIn.objects.filter(pk=shared.pk).exists()


def test_each_delete_link_has_its_own_accessible_name(alice):
    for days in (0, 1, 2):
        checkin(alice, days=days)
    page = signed_in(alice).get("/check-ins/").content.decode()
    names = re.findall(r'delete/">Delete<span class="visually-hidden">([^<]+)</span>', page)
    assert len(names) == len(set(names)) == 3
    assert names[0] == f" the check-in of {today():%-d %b %Y}"


# --- commitments ---------------------------------------------------------------------------


def post_commitment(browser, text="I'll be home by 6 on Tuesday.", due_on=None, **data):
    payload = {"text": text, "due_on": (due_on or today()).isoformat(), **data}
    return browser.post("/commitments/new/", payload, follow=True)


def test_a_commitment_with_a_past_date_is_saved_and_flagged(alice):
    response = post_commitment(signed_in(alice), due_on=days_ago(2))
    page = response.content.decode()
    assert Commitment.objects.get(author=alice).due_on == days_ago(2)
    assert "has already passed" in page and "Dated in the past" in page


def test_a_commitment_needs_text_and_a_real_date(alice):
    response = signed_in(alice).post("/commitments/new/", {"text": " ", "due_on": "soon"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page and "Please enter a date" in page
    assert not Commitment.objects.exists()


def test_commitment_text_and_notes_with_markup_are_shown_as_text(couple):
    alice, bob = couple
    browser = signed_in(alice)
    post_commitment(browser, text=MARKUP, shared="on")
    made = Commitment.objects.get(author=alice)
    browser.post(f"/commitments/{made.pk}/mark/", {"outcome": "kept", "note": MARKUP})
    for viewer, url in ((browser, "/commitments/"), (signed_in(bob), f"/commitments/{made.pk}/")):
        page = viewer.get(url).content.decode()
        assert page.count(ESCAPED) >= 2
        assert "<script>alert" not in page


def test_only_the_author_marks_a_commitment(couple, carol):
    alice, bob = couple
    private = make_commitment(author=alice, text="Private step.", due_on=today())
    shared = make_commitment(author=alice, text="Shared step.", due_on=today(), shared=True)
    bob_browser = signed_in(bob)

    for commitment, status in ((private, 404), (shared, 403)):
        response = bob_browser.post(f"/commitments/{commitment.pk}/mark/", {"outcome": "kept"})
        assert response.status_code == status
    assert "Only the person who made a commitment" in response.content.decode()
    assert bob_browser.get(f"/commitments/{private.pk}/").status_code == 404
    for commitment in (private, shared):
        url = f"/commitments/{commitment.pk}/"
        assert signed_in(carol).get(url).status_code == 404
        assert signed_in(carol).post(url + "mark/", {"outcome": "kept"}).status_code == 404
    assert set(Commitment.objects.values_list("status", flat=True)) == {"open"}

    response = signed_in(alice).post(
        f"/commitments/{private.pk}/mark/", {"outcome": "not_kept", "note": "I was late."}
    )
    assert response.status_code == 302
    private.refresh_from_db()
    assert private.status == "not_kept" and private.outcome_note == "I was late."
    assert private.marked_at is not None


def test_marking_without_choosing_an_outcome_asks_again(alice):
    made = make_commitment(author=alice, text="A step.", due_on=today())
    response = signed_in(alice).post(f"/commitments/{made.pk}/mark/", {"note": "Kept my note."})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please choose kept or not kept." in page and "Kept my note.</textarea>" in page


def test_the_partner_confirms_a_shared_commitment_kept(couple, carol):
    alice, bob = couple
    made = make_commitment(
        author=alice, text="Bank statement on Friday.", due_on=today(), shared=True
    )
    url = f"/commitments/{made.pk}/confirm/"
    assert signed_in(bob).post(url).status_code == 403  # not kept yet
    mark_commitment(author=alice, commitment=made, kept=True)

    assert signed_in(alice).post(url).status_code == 403  # not her own
    assert signed_in(carol).post(url).status_code == 404
    page = signed_in(bob).post(url, follow=True).content.decode()
    assert "You confirmed that Alice kept it." in page
    made.refresh_from_db()
    assert made.partner_confirmed_at is not None
    assert "Confirmed by Bob" in signed_in(alice).get("/commitments/").content.decode()


def test_a_private_commitment_cannot_be_confirmed_by_the_partner(couple):
    alice, bob = couple
    made = make_commitment(author=alice, text="Only mine.", due_on=today())
    mark_commitment(author=alice, commitment=made, kept=True)
    assert signed_in(bob).post(f"/commitments/{made.pk}/confirm/").status_code == 404
    assert "Only mine." not in signed_in(bob).get("/commitments/").content.decode()


def test_the_partner_proposes_and_the_other_accepts_or_declines(couple, carol):
    alice, bob = couple
    bob_browser, alice_browser = signed_in(bob), signed_in(alice)
    for text in ("Call me at lunch.", "Show me your phone."):
        bob_browser.post("/commitments/propose/", {"text": text, "due_on": today().isoformat()})
    call, phone = Commitment.objects.order_by("pk")
    assert (call.author, call.proposed_by, call.status, call.shared) == (
        alice,
        bob,
        "proposed",
        True,
    )

    page = alice_browser.get("/commitments/").content.decode()
    assert "Proposed to you" in page and "Call me at lunch." in page
    assert (
        bob_browser.post(f"/commitments/{call.pk}/answer/", {"answer": "accept"}).status_code == 403
    )
    alice_browser.post(f"/commitments/{call.pk}/answer/", {"answer": "accept"})
    alice_browser.post(f"/commitments/{phone.pk}/answer/", {"answer": "decline"})
    call.refresh_from_db()
    phone.refresh_from_db()
    assert (call.status, phone.status) == ("open", "declined")
    assert signed_in(bob).get("/commitments/").content.decode().count("Call me at lunch.") == 1

    signed_in(carol).post("/commitments/propose/", {"text": "Hi.", "due_on": today().isoformat()})
    assert not Commitment.objects.filter(proposed_by=carol).exists()


def test_the_proposer_withdraws_a_proposal_not_yet_answered(couple):
    alice, bob = couple
    bob_browser = signed_in(bob)
    bob_browser.post(
        "/commitments/propose/", {"text": "Call me at lunch.", "due_on": today().isoformat()}
    )
    proposal = Commitment.objects.get()
    page = bob_browser.get("/commitments/").content.decode()
    assert f'action="/commitments/{proposal.pk}/withdraw/"' in page
    assert "Withdraw proposal" not in signed_in(alice).get("/commitments/").content.decode()

    assert bob_browser.get(f"/commitments/{proposal.pk}/withdraw/").status_code == 405
    response = bob_browser.post(f"/commitments/{proposal.pk}/withdraw/", follow=True)
    assert response.redirect_chain == [("/commitments/", 302)]
    assert "You withdrew your proposal: Alice no longer sees it." in response.content.decode()
    assert not Commitment.objects.exists()
    assert "Call me at lunch." not in signed_in(alice).get("/commitments/").content.decode()
    assert bob_browser.post(f"/commitments/{proposal.pk}/withdraw/").status_code == 404


def test_only_the_proposer_withdraws_and_only_before_an_answer(couple, carol):
    alice, bob = couple
    waiting = propose_commitment(proposer=bob, partner=alice, text="Waiting.", due_on=today())
    accepted = propose_commitment(proposer=bob, partner=alice, text="Yes.", due_on=today())
    declined = propose_commitment(proposer=bob, partner=alice, text="No.", due_on=today())
    answer_proposal(author=alice, commitment=accepted, accept=True)
    answer_proposal(author=alice, commitment=declined, accept=False)
    own = make_commitment(author=alice, text="Her own.", due_on=today(), shared=True)

    def withdraw(user, commitment):
        return signed_in(user).post(f"/commitments/{commitment.pk}/withdraw/")

    response = withdraw(alice, waiting)  # the one it was proposed to answers it instead
    assert response.status_code == 403
    assert "Only the person who proposed it can withdraw it." in response.content.decode()
    assert withdraw(carol, waiting).status_code == 404
    for answered in (accepted, declined):
        response = withdraw(bob, answered)
        assert response.status_code == 403
        assert "already been answered" in response.content.decode()
    assert withdraw(bob, own).status_code == 403
    page = signed_in(bob).get("/commitments/").content.decode()
    assert page.count("Withdraw proposal") == 1  # the waiting one only
    assert Commitment.objects.count() == 4

    unlink(user=alice)  # ending the link withdraws what was still waiting
    assert withdraw(bob, waiting).status_code == 404
    assert sorted(Commitment.objects.values_list("text", flat=True)) == ["Her own.", "No.", "Yes."]


def test_a_spouse_who_deletes_their_account_leaves_no_proposal_waiting(couple):
    alice, bob = couple
    propose_commitment(proposer=bob, partner=alice, text="From bob, waiting.", due_on=today())
    propose_commitment(proposer=alice, partner=bob, text="From alice, waiting.", due_on=today())
    kept = propose_commitment(proposer=bob, partner=alice, text="Accepted.", due_on=today())
    answer_proposal(author=alice, commitment=kept, accept=True)

    deleted = reauthenticated(bob).post("/account/delete/", {"confirm": "delete my account"})

    assert deleted.status_code == 302 and deleted["Location"] == "/"
    page = signed_in(alice).get("/commitments/").content.decode()
    assert "From bob, waiting." not in page and "Proposed to you" not in page
    assert "Accepted." in page
    assert list(Commitment.objects.values_list("text", "status")) == [("Accepted.", "open")]


def test_answering_a_proposal_withdrawn_a_moment_ago_is_refused_not_an_error(couple):
    alice, bob = couple
    proposal = propose_commitment(proposer=bob, partner=alice, text="Call me.", due_on=today())
    seen_by_alice = Commitment.objects.get(pk=proposal.pk)  # as her answer view loaded it
    signed_in(bob).post(f"/commitments/{proposal.pk}/withdraw/")
    with pytest.raises(CommitmentRefused, match="withdrawn"):
        answer_proposal(author=alice, commitment=seen_by_alice, accept=True)
    assert not Commitment.objects.exists()


def test_commitments_visible_to_by_persona(couple, carol):
    alice, bob = couple
    make_commitment(author=alice, text="Private.", due_on=today())
    make_commitment(author=alice, text="Shared.", due_on=today(), shared=True)
    propose_commitment(proposer=bob, partner=alice, text="Proposed.", due_on=today())
    seen = {
        viewer.display_name: sorted(
            c.text for c in Commitment.objects.visible_to(viewer).filter(author=alice)
        )
        for viewer in (alice, bob, carol)
    }
    assert seen == {
        "Alice": ["Private.", "Proposed.", "Shared."],
        "Bob": ["Proposed.", "Shared."],
        "Carol": [],
    }


def test_the_tally_counts_the_last_30_days_and_us_shows_only_shared_ones(couple):
    alice, bob = couple
    for number in range(11):
        made = make_commitment(
            author=alice, text=f"Step {number}.", due_on=days_ago(number), shared=number < 6
        )
        mark_commitment(author=alice, commitment=made, kept=number != 3)
    # The last one (kept, private) was marked 31 days ago: outside the window.
    Commitment.objects.filter(pk=made.pk).update(marked_at=timezone.now() - timedelta(days=31))

    page = signed_in(alice).get("/commitments/").content.decode()
    assert "kept 9 of 10 in the last 30 days" in page
    page = signed_in(bob).get("/us/").content.decode()
    assert "Alice: kept 5 of 6 in the last 30 days" in page
    assert "You: none marked in the last 30 days" in page


# --- a fixed number of queries -------------------------------------------------------------


def _queries(browser, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(url).status_code == 200
    return len(queries)


def test_check_in_history_takes_as_many_queries_for_200_as_for_1(couple):
    alice, bob = couple
    checkin(alice, days=0)
    checkin(bob, days=0, shared=True)
    browser = signed_in(alice)
    one = {url: _queries(browser, url) for url in ("/check-ins/", "/us/")}

    for user in (alice, bob):
        CheckIn.objects.bulk_create(
            CheckIn(
                author=user,
                taken_on=days_ago(day),
                shared_with=couple_of(user),
                note="n",
                **dict.fromkeys(SELF_FIELDS, 3),
                **dict.fromkeys(SPOUSE_FIELDS, 2),
            )
            for day in range(1, 200)
        )
    assert CheckIn.objects.filter(author=alice).count() == 200
    many = {url: _queries(browser, url) for url in ("/check-ins/", "/us/")}
    assert many == one


def test_the_commitments_page_takes_as_many_queries_for_200_as_for_1(couple):
    alice, bob = couple
    make_commitment(author=alice, text="One.", due_on=today(), shared=True)
    make_commitment(author=bob, text="Theirs.", due_on=today(), shared=True)
    browser = signed_in(alice)
    one = _queries(browser, "/commitments/")

    statuses = ["open", "kept", "not_kept", "proposed", "declined"]
    Commitment.objects.bulk_create(
        Commitment(
            author=author,
            text=f"Step {number}.",
            due_on=days_ago(number - 100),
            shared_with=couple_of(author),
            status=statuses[number % 5],
            proposed_by=bob if author == alice and statuses[number % 5] == "proposed" else None,
            marked_at=timezone.now() if statuses[number % 5] in ("kept", "not_kept") else None,
        )
        for author in (alice, bob)
        for number in range(199)
    )
    assert Commitment.objects.filter(author=alice).count() == 200
    assert _queries(browser, "/commitments/") == one


def test_a_new_check_in_starts_private_whatever_the_last_one_shared(couple):
    alice, _ = couple
    checkin(alice, days=1, shared=True, note_shared=True, note="Shared last time.")
    browser = reauthenticated(alice)

    page = browser.get("/check-ins/new/")

    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r'<input type="checkbox" name="shared"[^>]*checked', html)
    assert not re.search(r'<input type="checkbox" name="note_shared"[^>]*checked', html)


def test_the_note_field_says_who_can_read_the_note(couple):
    """An accepted proposal is shared, and so is its note: the writer is told before
    writing, not after (a tester found the note on the partner's page unannounced)."""
    alice, _ = couple
    private = make_commitment(author=alice, text="Private step.", due_on=today())
    shared = make_commitment(author=alice, text="Shared step.", due_on=today(), shared=True)
    browser = signed_in(alice)

    for commitment, reach in ((private, "Only you can read"), (shared, "Your spouse can read")):
        response = browser.get(f"/commitments/{commitment.pk}/")
        assert response.status_code == 200
        assert reach in response.content.decode()


def test_marking_from_a_stale_tab_does_not_write_over_the_first_note(alice):
    """Two tabs on one commitment: the first marks it kept with a note; the second,
    opened before, marks it not kept with another. The second must not silently replace
    the first note; it is shown what changed, with its own words kept."""
    made = make_commitment(author=alice, text="Text at 5:40.", due_on=today())
    first_tab, second_tab = signed_in(alice), signed_in(alice)
    url = f"/commitments/{made.pk}/"
    form = second_tab.get(url).content.decode()
    seen = re.search(r'<input type="hidden" name="seen"(?: value="([^"]*)")?', form)[1] or ""
    first_tab.get(url)

    first_tab.post(url + "mark/", {"outcome": "kept", "note": "NOTE-A I texted at 5:40."})
    response = second_tab.post(
        url + "mark/", {"outcome": "not_kept", "note": "NOTE-B forgot on Friday.", "seen": seen}
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "NOTE-B forgot on Friday." in page  # their words, still in the form
    assert "NOTE-A I texted at 5:40." in page  # and what is stored now
    made.refresh_from_db()
    assert made.outcome_note == "NOTE-A I texted at 5:40." and made.status == "kept"


def test_changing_how_it_went_starts_from_the_note_already_written(alice):
    made = make_commitment(author=alice, text="Walk after dinner.", due_on=today())
    mark_commitment(author=alice, commitment=made, kept=False, note="Rained all week.")

    page = signed_in(alice).get(f"/commitments/{made.pk}/").content.decode()

    assert re.search(r"<textarea[^>]*>\s*Rained all week.</textarea>", page)
