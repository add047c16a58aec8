"""Linking a couple through /us/, by persona: alice and bob are linked, carol is a
stranger, dave and erin are another couple, and an anonymous visitor. Every /us/ URL and
method answers as expected and changes nothing it should not; forged, expired, used and
other couples' invitations say so; sharing, walking together, unlinking, notifications and
the audit trail keep their promises; the Our-journey page costs a fixed number of queries."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.links import couple_of, partner_of
from accounts.models import AuditEvent, Couple, Invitation, Membership
from accounts.services import create_invitation
from course.models import Answer, AnswerVersion
from tests.conftest import make_person
from tests.factories import (
    answer,
    complete,
    lesson_slugs,
    link,
    prompt_slugs,
    signed_in,
    sync,
    write_course,
)

SECRET = "the blue lighthouse behind the bakery"
SHARED = "I want us to begin again, slowly."
DRAFT = "a first draft I threw away"
NOT_KNOWN = "not one we know"
EXPIRED = "has expired"
USED = "already been used"
CANCELLED = "was cancelled"
OWN = "your own invitation"
ALREADY_LINKED = "already linked"
TOO_MANY = "Too many tries"
WRONG_CODE = "does not match an invitation"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    """Rate limits live in a database table (the cache) that transactional tests keep."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def linked(alice, bob):
    link(alice, bob)


@pytest.fixture
def dave(db):
    return make_person("Dave")


@pytest.fixture
def erin(db):
    return make_person("Erin")


@pytest.fixture
def other_couple(dave, erin):
    link(dave, erin)


@pytest.fixture
def prompts(content) -> list[str]:
    """Questions of the first lesson, open to everyone from the start."""
    return prompt_slugs(lesson_slugs("honesty")[0])


def client_for(user=None, ip: str = "127.0.0.1") -> Client:
    browser = Client(REMOTE_ADDR=ip)
    if user is not None:
        browser.force_login(user)
    return browser


def body(response) -> str:
    return response.content.decode()


def share(user, prompt: str, text: str, sharing: str = "shared") -> Answer:
    return answer(user, prompt, text, sharing=sharing)


def linked_state() -> set[tuple[int, int]]:
    return set(Membership.objects.values_list("user_id", "couple_id"))


# --- who sees what on /us/ -------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_from_every_us_page_and_changes_nothing(alice, bob, linked):
    invitation = create_invitation(inviter=make_person("Frank"))
    before = linked_state()
    anonymous = client_for()
    for method, url in [
        ("get", "/us/"),
        ("post", "/us/invite/"),
        ("post", f"/us/invitations/{invitation.invitation.pk}/cancel/"),
        ("get", "/us/code/"),
        ("post", "/us/code/"),
        ("post", "/us/answer/"),
        ("post", "/us/walk-together/"),
        ("get", "/us/unlink/"),
        ("post", "/us/unlink/"),
    ]:
        response = getattr(anonymous, method)(
            url, {"token": invitation.token, "answer": "accept", "walk_together": "on"}
        )
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
    assert linked_state() == before
    invitation.invitation.refresh_from_db()
    assert invitation.invitation.status == Invitation.Status.PENDING
    assert Invitation.objects.filter(status=Invitation.Status.PENDING).count() == 1


def test_anonymous_opening_a_live_link_sees_who_invited_and_is_asked_to_sign_in(alice):
    created = create_invitation(inviter=alice)
    response = client_for().get(created.path)
    assert response.status_code == 200
    assert "Alice invited you" in body(response)
    assert f"/accounts/login/?next=/us/join/{created.token}/" in body(response)
    assert "Accept and link" not in body(response)


def test_linked_spouses_see_our_journey_with_each_other(alice, bob, linked, content):
    for me, them in ((alice, "Bob"), (bob, "Alice")):
        response = client_for(me).get("/us/")
        assert response.status_code == 200
        assert "Our journey" in body(response)
        assert f"You and {them} are linked" in body(response)


def test_a_private_lesson_counts_for_its_reader_only_and_the_page_says_so(
    alice, bob, linked, content
):
    """Each spouse's own counts include the private lesson; the other's view of them
    leaves it out (9 lessons against 8 in the safety stage), and the page says which
    is which rather than that private lessons never show at all."""
    safety = lesson_slugs("safety")
    private = "when-this-course-is-not-enough"
    complete(alice, *lesson_slugs("honesty"), private, next(s for s in safety if s != private))

    mine = client_for(alice).get("/us/")
    theirs = client_for(bob).get("/us/")

    assert mine.status_code == 200 and theirs.status_code == 200
    assert f"Safety: 2 of {len(safety)} lessons" in body(mine)
    assert "Your counts here include lessons marked private; Bob never sees those" in body(mine)
    assert f"Safety: 1 of {len(safety) - 1} lessons" in body(theirs)
    assert "Lessons marked private are left out of these counts." in body(theirs)


def test_stranger_sees_only_the_invitation_page(alice, bob, carol, linked, prompts):
    share(alice, prompts[0], SHARED)
    response = client_for(carol).get("/us/")
    assert response.status_code == 200
    assert "Invite your spouse" in body(response)
    for leak in ("Alice", "Bob", SHARED):
        assert leak not in body(response)


def test_another_couple_sees_only_each_other(alice, bob, dave, erin, linked, other_couple, prompts):
    share(alice, prompts[0], SHARED)
    response = client_for(dave).get("/us/")
    assert "You and Erin are linked" in body(response)
    assert "Alice" not in body(response) and SHARED not in body(response)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/us/invite/"),
        ("get", "/us/invitations/1/cancel/"),
        ("post", "/us/join/anything/"),
        ("get", "/us/answer/"),
        ("get", "/us/walk-together/"),
        ("put", "/us/code/"),
        ("delete", "/us/"),
    ],
)
def test_us_urls_refuse_the_wrong_method(method, url, carol):
    assert getattr(client_for(carol), method)(url).status_code == 405


# --- inviting ---------------------------------------------------------------------------------


def test_an_unlinked_spouse_creates_an_invitation_with_a_link_and_a_code(carol):
    response = client_for(carol).post("/us/invite/", follow=True)
    assert response.status_code == 200
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    invitation = Invitation.objects.get()
    assert invitation.inviter == carol and invitation.status == Invitation.Status.PENDING
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
    assert "http://127.0.0.1:8000/us/join/" in body(response)  # SITE_URL, not the Host
    assert 'id="invite-code"' in body(response)
    assert len(mail.outbox) == 0


def test_in_development_the_invitation_points_at_the_address_in_use(carol, settings):
    settings.DEBUG = True
    response = client_for(carol).post(
        "/us/invite/", {"send_to": "dan@example.com"}, HTTP_HOST="localhost:8123", follow=True
    )
    assert response.status_code == 200
    assert "http://localhost:8123/us/join/" in body(response)
    assert "http://localhost:8123/us/join/" in mail.outbox[0].body


def test_a_new_invitation_cancels_the_one_before(carol):
    first = create_invitation(inviter=carol)
    client_for(carol).post("/us/invite/")
    first.invitation.refresh_from_db()
    assert first.invitation.status == Invitation.Status.CANCELLED
    assert Invitation.objects.filter(status=Invitation.Status.PENDING).count() == 1
    assert client_for(make_person("Gina")).get(first.path).status_code == 410


def test_the_invitation_email_carries_the_link_and_no_journal_text(carol, prompts):
    answer(carol, prompts[0], SECRET)
    response = client_for(carol).post("/us/invite/", {"send_to": "dan@example.com"}, follow=True)
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["dan@example.com"]
    assert "http://127.0.0.1:8000/us/join/" in sent.body
    assert "lighthouse" not in sent.body + sent.subject


def test_an_invitation_to_something_not_an_email_is_refused_cleanly(carol):
    response = client_for(carol).post("/us/invite/", {"send_to": "not an email"})
    assert response.status_code == 400
    assert "Enter a valid email address" in body(response)
    assert not Invitation.objects.exists()
    assert len(mail.outbox) == 0


def test_inviting_while_linked_is_refused(alice, bob, linked):
    response = client_for(alice).post("/us/invite/", follow=True)
    assert "already linked with your spouse" in body(response)
    assert not Invitation.objects.filter(status=Invitation.Status.PENDING).exists()


# --- cancelling -------------------------------------------------------------------------------


def test_the_inviter_cancels_and_the_link_then_says_cancelled(carol):
    created = create_invitation(inviter=carol)
    response = client_for(carol).post(f"/us/invitations/{created.invitation.pk}/cancel/")
    assert response.status_code == 302
    created.invitation.refresh_from_db()
    assert created.invitation.status == Invitation.Status.CANCELLED
    page = client_for(make_person("Gina")).get(created.path)
    assert page.status_code == 410 and CANCELLED in body(page)


def test_nobody_else_can_cancel_an_invitation_by_its_id(alice, bob, carol, dave, erin, linked):
    created = create_invitation(inviter=carol)
    url = f"/us/invitations/{created.invitation.pk}/cancel/"
    for person in (alice, bob, dave, erin):
        assert client_for(person).post(url).status_code == 302
    created.invitation.refresh_from_db()
    assert created.invitation.status == Invitation.Status.PENDING


# --- opening a link ---------------------------------------------------------------------------


def test_a_forged_token_gets_a_friendly_404(carol):
    response = client_for(carol).get("/us/join/forged-token-that-was-never-made/")
    assert response.status_code == 404
    assert NOT_KNOWN in body(response)
    assert "Go back" in body(response)


def test_an_expired_invitation_says_it_expired(alice, carol):
    created = create_invitation(inviter=alice)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client_for(carol).get(created.path)
    assert response.status_code == 410
    assert EXPIRED in body(response)
    refused = client_for(carol).post(
        "/us/answer/", {"token": created.token, "answer": "accept"}, follow=True
    )
    assert EXPIRED in body(refused)
    assert not Couple.objects.exists()


def test_a_used_invitation_says_it_was_used(alice, bob, carol):
    created = create_invitation(inviter=alice)
    client_for(bob).post("/us/answer/", {"token": created.token, "answer": "accept"})
    assert partner_of(alice) == bob
    response = client_for(carol).get(created.path)
    assert response.status_code == 410
    assert USED in body(response)


def test_a_declined_invitation_cannot_be_accepted_later(alice, bob):
    created = create_invitation(inviter=alice)
    declined = client_for(bob).post("/us/answer/", {"token": created.token, "answer": "decline"})
    assert declined.status_code == 302 and declined["Location"] == "/"
    assert Invitation.objects.get().status == Invitation.Status.DECLINED
    client_for(bob).post("/us/answer/", {"token": created.token, "answer": "accept"})
    assert not Couple.objects.exists()


def test_the_invited_spouse_sees_who_invited_them_and_can_accept(alice, carol):
    created = create_invitation(inviter=alice)
    response = client_for(carol).get(created.path)
    assert response.status_code == 200
    assert "Alice invited you" in body(response)
    assert f'name="token" value="{created.token}"' in body(response)


def test_opening_your_own_link_is_refused(alice):
    created = create_invitation(inviter=alice)
    response = client_for(alice).get(created.path)
    assert response.status_code == 410 and OWN in body(response)


def test_opening_a_link_while_linked_is_refused(alice, bob, carol, linked):
    created = create_invitation(inviter=carol)
    response = client_for(bob).get(created.path)
    assert response.status_code == 410 and ALREADY_LINKED in body(response)


# --- answering --------------------------------------------------------------------------------


def test_accepting_links_both_and_records_it(alice, carol):
    created = create_invitation(inviter=alice)
    response = client_for(carol).post(
        "/us/answer/", {"token": created.token, "answer": "accept"}, follow=True
    )
    assert "You and Alice are now linked" in body(response)
    assert partner_of(alice) == carol and partner_of(carol) == alice
    assert Invitation.objects.get().answered_by == carol
    linked_events = AuditEvent.objects.filter(kind=AuditEvent.Kind.LINKED)
    assert set(linked_events.values_list("user__display_name", flat=True)) == {"Alice", "Carol"}


def test_a_double_submitted_accept_links_once(alice, carol):
    created = create_invitation(inviter=alice)
    browser = client_for(carol)
    data = {"token": created.token, "answer": "accept"}
    assert browser.post("/us/answer/", data).status_code == 302
    second = browser.post("/us/answer/", data, follow=True)
    assert USED in body(second)
    assert Couple.objects.count() == 1 and Membership.objects.count() == 2
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LINKED).count() == 2


def test_accepting_your_own_invitation_is_refused(alice):
    created = create_invitation(inviter=alice)
    response = client_for(alice).post(
        "/us/answer/", {"token": created.token, "answer": "accept"}, follow=True
    )
    assert OWN in body(response)
    assert not Couple.objects.exists()
    assert Invitation.objects.get().status == Invitation.Status.PENDING


def test_accepting_while_linked_is_refused_and_the_invitation_stays_open(alice, bob, carol, linked):
    created = create_invitation(inviter=carol)
    response = client_for(bob).post(
        "/us/answer/", {"token": created.token, "answer": "accept"}, follow=True
    )
    assert ALREADY_LINKED in body(response)
    assert partner_of(bob) == alice and partner_of(carol) is None
    assert Invitation.objects.get(inviter=carol).status == Invitation.Status.PENDING


def test_another_couples_invitation_is_refused_to_a_stranger(dave, erin, carol):
    created = create_invitation(inviter=dave)
    link(dave, erin)
    response = client_for(carol).post(
        "/us/answer/", {"token": created.token, "answer": "accept"}, follow=True
    )
    assert CANCELLED in body(response)

    # Even if the invitation were still open (two answers racing), a linked inviter is refused.
    Invitation.objects.filter(pk=created.invitation.pk).update(status=Invitation.Status.PENDING)
    response = client_for(carol).post(
        "/us/answer/", {"token": created.token, "answer": "accept"}, follow=True
    )
    assert "already linked with someone else" in body(response)
    assert partner_of(carol) is None and partner_of(dave) == erin
    assert Couple.objects.count() == 1


def test_answering_with_a_forged_token_or_nothing_is_a_friendly_404(carol):
    browser = client_for(carol)
    for data in ({"token": "forged", "answer": "accept"}, {"answer": "accept"}, {}):
        response = browser.post("/us/answer/", data)
        assert response.status_code == 404
        assert NOT_KNOWN in body(response)
    assert not Couple.objects.exists()


def test_a_code_typed_in_opens_the_invitation_and_accepts(alice, carol):
    created = create_invitation(inviter=alice)
    browser = client_for(carol)
    typed = created.pretty_code.lower()
    response = browser.post("/us/code/", {"code": typed})
    assert response.status_code == 200
    assert "Alice invited you" in body(response)
    browser.post("/us/answer/", {"code": typed, "answer": "accept"})
    assert partner_of(carol) == alice


def test_wrong_codes_are_limited_to_five_tries_even_before_the_right_one(alice, carol):
    created = create_invitation(inviter=alice)
    browser = client_for(carol)
    for _ in range(5):
        response = browser.post("/us/code/", {"code": "ZZZZ-ZZZZ"})
        assert response.status_code == 200
        assert WRONG_CODE in body(response)
    response = browser.post("/us/code/", {"code": created.pretty_code})
    assert response.status_code == 429
    assert TOO_MANY in body(response)
    assert "Alice" not in body(response)
    response = browser.post(
        "/us/answer/", {"code": created.pretty_code, "answer": "accept"}, follow=True
    )
    assert TOO_MANY in body(response)
    assert not Couple.objects.exists()


def test_the_code_limit_holds_for_the_account_from_another_address_and_for_the_address(
    alice, carol, dave
):
    created = create_invitation(inviter=alice)
    for _ in range(5):
        client_for(carol, ip="10.0.0.1").post("/us/code/", {"code": "ZZZZ-ZZZZ"})
    moved = client_for(carol, ip="10.0.0.2").post("/us/code/", {"code": created.pretty_code})
    assert moved.status_code == 429
    same_address = client_for(dave, ip="10.0.0.1").post("/us/code/", {"code": created.pretty_code})
    assert same_address.status_code == 429
    elsewhere = client_for(dave, ip="10.0.0.3").post("/us/code/", {"code": created.pretty_code})
    assert elsewhere.status_code == 200


def test_the_code_limit_holds_on_a_worker_that_never_saw_the_earlier_tries(alice, carol):
    from django.core.cache.backends import locmem

    created = create_invitation(inviter=alice)
    for _ in range(5):
        client_for(carol).post("/us/code/", {"code": "ZZZZ-ZZZZ"})
    # Another worker is another process: nothing this one keeps in memory reaches it.
    for held_in_memory in (*locmem._caches.values(), *locmem._expire_info.values()):
        held_in_memory.clear()

    response = client_for(carol).post("/us/code/", {"code": created.pretty_code})

    assert response.status_code == 429
    assert TOO_MANY in body(response)


def test_guessing_codes_straight_at_the_answer_url_counts_towards_the_limit(alice, carol):
    created = create_invitation(inviter=alice)
    browser = client_for(carol)
    for guess in ("AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC", "DDDD-DDDD", "EEEE-EEEE"):
        assert browser.post("/us/answer/", {"code": guess, "answer": "decline"}).status_code == 404
    response = browser.post(
        "/us/answer/", {"code": created.pretty_code, "answer": "accept"}, follow=True
    )
    assert TOO_MANY in body(response)
    assert not Couple.objects.exists()


# --- walking together -------------------------------------------------------------------------


def test_walk_together_is_set_per_spouse_and_refused_when_unlinked(alice, bob, carol, linked):
    response = client_for(alice).post("/us/walk-together/", {"walk_together": "on"})
    assert response.status_code == 302 and response["Location"] == "/us/#walk"
    assert Membership.objects.get(user=alice).walk_together
    assert not Membership.objects.get(user=bob).walk_together
    assert client_for(carol).post("/us/walk-together/", {"walk_together": "on"}).status_code == 302
    assert not Membership.objects.filter(user=carol).exists()
    client_for(alice).post("/us/walk-together/", {"walk_together": "off"})
    assert not Membership.objects.get(user=alice).walk_together


def safety_page(user) -> str:
    return body(client_for(user).get(f"/course/{lesson_slugs('safety')[0]}/"))


def test_the_next_stage_waits_for_both_only_when_both_walk_together(alice, bob, linked, content):
    complete(alice, *lesson_slugs("honesty"))
    client_for(alice).post("/us/walk-together/", {"walk_together": "on"})
    assert "This lesson is not open yet" not in safety_page(alice), "only alice opted in"

    client_for(bob).post("/us/walk-together/", {"walk_together": "on"})
    waiting = safety_page(alice)
    assert "This lesson is not open yet" in waiting
    assert "opens when your spouse has finished it too" in waiting
    assert "walking together" in body(client_for(alice).get("/us/")).lower()

    complete(bob, *lesson_slugs("honesty"))
    assert "This lesson is not open yet" not in safety_page(alice)
    assert "This lesson is not open yet" not in safety_page(bob)


def test_either_spouse_turning_walking_together_off_opens_the_stage_again(alice, bob, content):
    link(alice, bob, walk_together=True)
    complete(alice, *lesson_slugs("honesty"))
    assert "This lesson is not open yet" in safety_page(alice)
    client_for(bob).post("/us/walk-together/", {"walk_together": "off"})
    assert "This lesson is not open yet" not in safety_page(alice)


# --- sharing ----------------------------------------------------------------------------------


def test_partner_sees_shared_answers_but_never_private_ones_drafts_or_history(
    alice, bob, linked, prompts
):
    first = answer(alice, prompts[0], DRAFT)
    AnswerVersion.objects.update(saved_at=timezone.now() - timedelta(hours=1))
    answer(alice, prompts[0], SHARED)
    Answer.objects.filter(pk=first.pk).update(sharing="shared", shared_with=couple_of(alice))
    answer(alice, prompts[1], SECRET)

    page = body(client_for(bob).get("/us/"))
    assert SHARED in page
    assert SECRET not in page and DRAFT not in page
    history = client_for(bob).get(f"/journal/{prompts[0]}/history/")
    assert history.status_code == 404
    assert DRAFT not in body(history) and SHARED not in body(history)
    own_form = body(client_for(bob).get(f"/journal/{prompts[0]}/"))
    assert SHARED not in own_form and DRAFT not in own_form
    assert DRAFT in body(client_for(alice).get(f"/journal/{prompts[0]}/history/"))


def test_partner_sees_a_shared_answer_with_the_formatting_the_form_promises(
    alice, bob, linked, prompts
):
    """The answer form says light formatting works; the spouse it was shared with reads
    it formatted, as the writer does. A heading is not promised: it shows as typed, so
    no answer adds a heading to the page's outline."""
    share(
        alice,
        prompts[0],
        "# Where I am\n\nI mean it **plainly**, and *softly*.\n\n- one step\n- then another"
        "\n\n> what you said in March",
    )
    share(bob, prompts[0], "Me *too*.")

    for reader in (bob, alice):
        response = client_for(reader).get("/us/")
        assert response.status_code == 200
        page = body(response)
        assert "<p>I mean it <strong>plainly</strong>, and <em>softly</em>.</p>" in page
        assert "<ul>\n<li>one step</li>\n<li>then another</li>\n</ul>" in page
        assert "<blockquote>\n<p>what you said in March</p>\n</blockquote>" in page
        assert "<p>Me <em>too</em>.</p>" in page
        assert "**" not in page and "<p># Where I am</p>" in page
        assert page.count("<h1") == 1


def test_html_in_a_shared_answer_reaches_the_partner_as_text(alice, bob, linked, prompts):
    share(
        alice,
        prompts[0],
        '**Mine** <script>alert(1)</script>\n\n<img src=x onerror="alert(2)"> *too*',
    )

    response = client_for(bob).get("/us/")

    assert response.status_code == 200
    page = body(response)
    assert "<p><strong>Mine</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>" in page
    assert '<p>&lt;img src=x onerror="alert(2)"&gt; <em>too</em></p>' in page
    assert "<script>alert" not in page and "<img" not in page


def test_when_both_reveals_only_once_both_have_shared_their_own(alice, bob, linked, prompts):
    share(alice, prompts[0], SECRET, sharing="when_both")
    page = body(client_for(bob).get("/us/"))
    assert SECRET not in page
    assert "Alice has answered" in page

    # Answering but keeping it private is not an exchange (it used to reveal Alice's).
    answer(bob, prompts[0], "ok")
    assert SECRET not in body(client_for(bob).get("/us/"))

    answer(bob, prompts[0], "", sharing="shared")
    page = body(client_for(bob).get("/us/"))
    assert SECRET not in page, "an emptied answer must not count as sharing one"
    assert "Alice has answered" in page

    answer(bob, prompts[0], "Now I share mine too.", sharing="when_both")
    assert SECRET in body(client_for(bob).get("/us/"))
    assert "Now I share mine too." in body(client_for(alice).get("/us/"))


def test_an_emptied_shared_answer_is_not_shown_as_shared(alice, bob, linked, prompts):
    share(alice, prompts[0], SHARED)
    answer(alice, prompts[0], "")
    page = body(client_for(bob).get("/us/"))
    assert "Neither of you has shared an answer yet" in page


def test_unsharing_takes_effect_on_the_next_request(alice, bob, linked, prompts):
    share(alice, prompts[0], SHARED)
    bob_browser = client_for(bob)
    assert SHARED in body(bob_browser.get("/us/"))
    response = client_for(alice).post(f"/journal/{prompts[0]}/share/", {"sharing": "private"})
    assert response.status_code == 302
    assert SHARED not in body(bob_browser.get("/us/"))
    assert AuditEvent.objects.filter(user=alice, kind=AuditEvent.Kind.WITHDRAWN).exists()


def test_an_answer_unshared_while_the_page_is_drawn_shows_nothing_of_it(
    alice, bob, linked, prompts
):
    """/us/ lists the conversations without their text, then reads the page's answers
    whole through the access rule again: an unshare landing between the two reads
    leaves the answer's text off the page."""
    shared = share(alice, prompts[0], SHARED)
    browser = client_for(bob)
    assert SHARED in body(browser.get("/us/"))
    unshared = []

    def unshare_after_the_index(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if '"readable"' in sql and not unshared:
            unshared.append(Answer.objects.filter(pk=shared.pk).update(sharing="private"))
        return result

    with connection.execute_wrapper(unshare_after_the_index):
        response = browser.get("/us/")
    assert response.status_code == 200
    assert unshared == [1], "the index query was not recognised"
    assert SHARED not in body(response)


def test_nobody_can_change_the_sharing_of_someone_elses_answer(alice, bob, carol, linked, prompts):
    answer(alice, prompts[0], SECRET)
    for person in (bob, carol):
        response = client_for(person).post(f"/journal/{prompts[0]}/share/", {"sharing": "shared"})
        assert response.status_code == 404
    assert Answer.objects.get(author=alice).sharing == "private"


# --- unlinking --------------------------------------------------------------------------------


def test_unlinking_needs_the_password_again(alice, bob, linked):
    for method in ("get", "post"):
        response = getattr(client_for(alice), method)("/us/unlink/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/reauthenticate/")
    assert partner_of(alice) == bob


def test_after_unlinking_nothing_of_the_other_is_shown(alice, bob, linked, prompts):
    share(alice, prompts[0], SHARED)
    share(bob, prompts[1], "Bob's shared thought.")
    browser = signed_in(alice)
    confirm = browser.get("/us/unlink/")
    assert confirm.status_code == 200 and "Unlink from Bob?" in body(confirm)
    response = browser.post("/us/unlink/", follow=True)
    assert "no longer linked" in body(response)

    assert not Couple.objects.exists() and not Membership.objects.exists()
    bob_page = body(client_for(bob).get("/us/"))
    assert "Invite your spouse" in bob_page
    assert "Alice" not in bob_page and SHARED not in bob_page
    alice_page = body(client_for(alice).get("/us/"))
    assert "Bob" not in alice_page and "shared thought" not in alice_page
    # Journals are untouched.
    assert Answer.objects.get(author=alice).text == SHARED
    unlinked = AuditEvent.objects.filter(kind=AuditEvent.Kind.UNLINKED)
    assert set(unlinked.values_list("user__display_name", flat=True)) == {"Alice", "Bob"}


def test_unlinking_another_couple_leaves_ours_alone(alice, bob, dave, erin, linked, other_couple):
    signed_in(dave).post("/us/unlink/")
    assert partner_of(dave) is None and partner_of(erin) is None
    assert partner_of(alice) == bob


def test_unlinking_when_not_linked_changes_nothing(alice, bob, carol, linked):
    response = signed_in(carol).post("/us/unlink/")
    assert response.status_code == 302 and response["Location"] == "/us/"
    assert partner_of(alice) == bob
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.UNLINKED).exists()


# --- notifications ----------------------------------------------------------------------------


def test_no_email_by_default_when_the_partner_shares(alice, bob, linked, prompts):
    client_for(alice).post(
        f"/journal/{prompts[0]}/", {"text": SECRET, "base_version": 0, "sharing": "shared"}
    )
    assert Answer.objects.get(author=alice).sharing == "shared"
    assert len(mail.outbox) == 0


def test_sharing_sends_an_opted_in_partner_a_neutral_email(alice, bob, linked, prompts):
    bob.notify_by_email = True
    bob.save()
    client_for(alice).post(
        f"/journal/{prompts[0]}/", {"text": SECRET, "base_version": 0, "sharing": "shared"}
    )
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [bob.email]
    assert "Alice shared an answer with you" in sent.body
    assert "lighthouse" not in sent.subject + sent.body
    assert AuditEvent.objects.filter(user=alice, kind=AuditEvent.Kind.SHARED).count() == 1

    # Editing an answer already shared sends nothing more.
    client_for(alice).post(
        f"/journal/{prompts[0]}/", {"text": SECRET + "!", "base_version": 1, "sharing": "shared"}
    )
    assert len(mail.outbox) == 1


def test_the_unlink_email_says_only_that_the_link_ended(alice, bob, linked, prompts):
    share(alice, prompts[0], SECRET)
    bob.notify_by_email = True
    bob.save()
    signed_in(alice).post("/us/unlink/")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [bob.email]
    assert sent.subject == "Trellis: link ended"
    assert "Alice ended the link between your Trellis accounts." in sent.body
    assert "lighthouse" not in sent.body


def test_the_unlinking_spouse_gets_no_email(alice, bob, linked):
    alice.notify_by_email = True
    alice.save()
    signed_in(alice).post("/us/unlink/")
    assert len(mail.outbox) == 0


# --- audit ------------------------------------------------------------------------------------


def test_activity_lists_link_share_withdraw_and_unlink_without_journal_text(alice, bob, prompts):
    created = create_invitation(inviter=alice)
    client_for(bob).post("/us/answer/", {"token": created.token, "answer": "accept"})
    browser = client_for(alice)
    browser.post(
        f"/journal/{prompts[0]}/", {"text": SECRET, "base_version": 0, "sharing": "shared"}
    )
    browser.post(f"/journal/{prompts[0]}/share/", {"sharing": "private"})
    signed_in(alice).post("/us/unlink/")

    page = body(browser.get("/account/activity/"))
    for label in (
        "Linked accounts with your spouse",
        "Shared an answer",
        "Made a shared answer private again",
        "Accounts unlinked",
    ):
        assert label in page
    assert "lighthouse" not in page
    bob_page = body(client_for(bob).get("/account/activity/"))
    assert "Linked accounts with your spouse" in bob_page and "Accounts unlinked" in bob_page
    assert "Shared an answer" not in bob_page


# --- a fixed number of queries ----------------------------------------------------------------


def queries_on_us(user) -> int:
    browser = client_for(user)
    assert browser.get("/us/").status_code == 200  # warm-up: session, caches
    with CaptureQueriesContext(connection) as queries:
        response = browser.get("/us/")
    assert response.status_code == 200
    return len(queries)


def test_our_journey_costs_as_many_queries_for_60_lessons_as_for_3(
    alice, bob, linked, tmp_path, settings
):
    sync(settings, write_course(tmp_path / "small", lessons=3))
    complete(alice, "honesty-01")
    complete(bob, "honesty-01")
    share(bob, "honesty-01-q1", SHARED)
    small = queries_on_us(alice)

    sync(settings, write_course(tmp_path / "large", lessons=60))
    complete(alice, *lesson_slugs("honesty"))
    complete(bob, *lesson_slugs("honesty"))
    assert queries_on_us(alice) == small


def test_our_journey_costs_as_many_queries_for_200_shared_answers_as_for_1(
    alice, bob, linked, tmp_path, settings
):
    sync(settings, write_course(tmp_path / "course", lessons=60, prompts_per_lesson=4))
    prompts = [
        f"{stage}-{n:02d}-q{q}" for stage in ("honesty",) for n in range(1, 21) for q in range(1, 5)
    ]
    prompts += [f"safety-{n:02d}-q{q}" for n in range(1, 21) for q in range(1, 5)]
    prompts += [f"trust-{n:02d}-q{q}" for n in range(1, 21) for q in range(1, 5)]
    share(bob, prompts[0], SHARED)
    share(alice, prompts[1], "mine")
    one = queries_on_us(alice)

    for index, prompt in enumerate(prompts[2:201]):
        share(bob, prompt, f"Shared answer {index}", "shared" if index % 2 else "when_both")
    for prompt in prompts[2:100]:
        share(alice, prompt, "mine too")
    assert Answer.objects.filter(author=bob).count() == 200
    page_queries = queries_on_us(alice)
    assert page_queries == one


def test_reloading_the_new_invitation_page_keeps_the_invitation_it_showed(carol):
    """A reload used to send the form again: a second invitation and email, which
    cancelled the first, already in the spouse's inbox."""
    browser = client_for(carol)
    response = browser.post("/us/invite/", {"send_to": "dan@example.com"})
    assert response.status_code == 302 and response["Location"] == "/us/invitation/"
    first = browser.get("/us/invitation/")
    assert first.status_code == 200 and 'id="invite-code"' in body(first)

    again = browser.get("/us/invitation/")  # the reload

    assert again.status_code == 200
    assert 'id="invite-code"' not in body(again) and "shown only once" in body(again)
    assert Invitation.objects.get().status == Invitation.Status.PENDING
    assert len(mail.outbox) == 1
