"""Replies under shared answers, and the notices that tell a spouse something is new."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Notice
from accounts.services import unlink
from course.models import Reply
from tests.conftest import make_person
from tests.factories import answer, lesson_slugs, link, prompt_slugs, signed_in

SHARED = "What I finally said out loud."


def _prompts(count: int) -> list[str]:
    slugs = []
    for lesson in lesson_slugs("honesty"):
        slugs += prompt_slugs(lesson)
    return slugs[:count]


def _queries(browser, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(url).status_code == 200
    return len(queries)


def test_the_partner_replies_and_both_see_it_and_the_author_is_told(alice, bob, content):
    link(alice, bob)
    shared = answer(alice, _prompts(1)[0], SHARED, sharing="shared")

    response = signed_in(bob).post(
        f"/us/answers/{shared.pk}/reply/", {"kind": "words", "text": "Thank you. Me too."}
    )

    assert response.status_code == 302
    for person in (alice, bob):
        page = signed_in(person).get("/us/").content.decode()
        assert "Thank you. Me too." in page
    home = signed_in(alice).get("/")
    assert home.status_code == 200
    assert "Bob replied on your page together." in home.content.decode()
    assert Notice.objects.filter(user=alice, kind="replied").count() == 1


def test_a_quick_acknowledgement_needs_no_words(alice, bob, content):
    link(alice, bob)
    shared = answer(alice, _prompts(1)[0], SHARED, sharing="shared")

    signed_in(bob).post(f"/us/answers/{shared.pk}/reply/", {"kind": "talk"})

    assert "I&#x27;d like to talk about this" in signed_in(alice).get("/us/").content.decode()


def test_a_private_answer_cannot_be_replied_to_and_the_words_are_kept(alice, bob, content):
    link(alice, bob)
    private = answer(alice, _prompts(1)[0], "Only mine.")

    response = signed_in(bob).post(
        f"/us/answers/{private.pk}/reply/", {"kind": "words", "text": "My careful words"}
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Only mine." not in page
    assert "no longer shared between you" in page
    assert "My careful words" in page  # not sent, and not lost either
    assert not Reply.objects.exists()


def test_a_reply_to_an_answer_withdrawn_or_unlinked_meanwhile_keeps_its_words(alice, bob, content):
    """Bob's /us/ still shows alice's answer; she withdraws it, or unlinks, before he
    sends his reply. He is told why it was not sent, and his words are on the page."""
    link(alice, bob)
    shared = answer(alice, _prompts(1)[0], SHARED, sharing="shared")
    bobs = signed_in(bob)
    assert SHARED in bobs.get("/us/").content.decode()

    answer(alice, _prompts(1)[0], SHARED, sharing="private")
    response = bobs.post(
        f"/us/answers/{shared.pk}/reply/", {"kind": "words", "text": "I am so sorry."}
    )
    assert response.status_code == 409
    assert "I am so sorry." in response.content.decode()

    answer(alice, _prompts(1)[0], SHARED, sharing="shared")
    unlink(user=alice)
    response = bobs.post(f"/us/answers/{shared.pk}/reply/", {"kind": "words", "text": "Still."})
    assert response.status_code == 409
    assert "Still." in response.content.decode()
    assert not Reply.objects.exists()


def test_a_spouse_cannot_acknowledge_their_own_answer(alice, bob, content):
    """ "Thank you for telling me" is for the spouse who was told, not the teller."""
    link(alice, bob)
    shared = answer(alice, _prompts(1)[0], SHARED, sharing="shared")
    alices = signed_in(alice)
    assert "Thank you for telling me" not in alices.get("/us/").content.decode()

    response = alices.post(f"/us/answers/{shared.pk}/reply/", {"kind": "thanks"})

    assert response.status_code == 400
    assert not Reply.objects.exists()


def test_a_stranger_cannot_reply_and_replies_end_with_the_link(alice, bob, content):
    carol = make_person("Carol")
    link(alice, bob)
    shared = answer(alice, _prompts(1)[0], SHARED, sharing="shared")
    signed_in(bob).post(f"/us/answers/{shared.pk}/reply/", {"kind": "thanks"})

    refused = signed_in(carol).post(f"/us/answers/{shared.pk}/reply/", {"kind": "thanks"})
    assert refused.status_code == 409  # not linked: told so, nothing added
    assert Reply.objects.count() == 1

    unlink(user=alice)
    link(alice, carol)
    assert Reply.objects.get().shared_with is None
    assert "Thank you for telling me" not in signed_in(carol).get("/us/").content.decode()
    assert "Thank you for telling me" not in signed_in(alice).get("/us/").content.decode()


def test_a_dismissed_notice_stays_dismissed_and_only_its_owner_can_dismiss_it(alice, bob, content):
    link(alice, bob)  # alice invited: she is told bob accepted
    notice = Notice.objects.get(user=alice)

    signed_in(bob).post(f"/account/notices/{notice.pk}/dismiss/")
    assert "are now linked" in signed_in(alice).get("/").content.decode()
    signed_in(alice).post(f"/account/notices/{notice.pk}/dismiss/")

    assert "are now linked" not in signed_in(alice).get("/").content.decode()


def test_an_unlinked_spouse_is_told_calmly_on_their_next_visit(alice, bob, content):
    link(alice, bob)
    unlink(user=bob)

    page = signed_in(alice).get("/").content.decode()

    assert "Your accounts are no longer linked." in page
    assert "Bob" not in page


def test_our_journey_and_home_take_as_many_queries_with_many_replies_as_with_one(
    alice, bob, content
):
    link(alice, bob)
    prompts = _prompts(12)
    answers = [
        answer(alice, slug, f"{SHARED} {n}", sharing="shared") for n, slug in enumerate(prompts)
    ]
    bob_browser = signed_in(bob)
    bob_browser.post(f"/us/answers/{answers[0].pk}/reply/", {"kind": "thanks"})
    browser = signed_in(alice)
    for url in ("/", "/us/"):
        browser.get(url)  # first visits write once (the home page's stage bookkeeping)
    one = {url: _queries(browser, url) for url in ("/", "/us/")}

    for shared in answers:
        for _ in range(4):
            bob_browser.post(f"/us/answers/{shared.pk}/reply/", {"kind": "words", "text": "Yes."})
    assert Reply.objects.count() == 49

    assert {url: _queries(browser, url) for url in ("/", "/us/")} == one


def test_a_share_withdrawn_before_the_partner_looked_takes_its_notice_with_it(alice, bob, content):
    """The home page shows what is there: 'Alice shared an answer with you' must not
    stay once nothing of hers is shared any more (it did, linking to an empty page)."""
    link(alice, bob)
    first, second = _prompts(2)
    alices = signed_in(alice)
    for slug, text in ((first, SHARED), (second, "Another one.")):
        written = answer(alice, slug, text)
        response = alices.post(
            f"/journal/{slug}/share/", {"sharing": "shared", "base_version": written.version}
        )
        assert response.status_code == 302
    bobs = signed_in(bob)
    assert "shared an answer with you" in bobs.get("/").content.decode()

    for slug in (first, second):
        response = alices.post(f"/journal/{slug}/share/", {"sharing": "private"})
        assert response.status_code == 302
        # While one answer is still shared, the notice is still true.
        still_true = slug == first
        assert ("shared an answer with you" in bobs.get("/").content.decode()) is still_true


def test_every_page_of_ours_takes_as_many_queries_with_many_rows_as_with_few(alice, bob, content):
    """/us/ (and its later pages), check-ins, commitments and home: the same queries with
    one of everything as with many shared answers, replies, check-ins and commitments."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.links import couple_of
    from course.commitments import make_commitment
    from course.models import SELF_FIELDS, SPOUSE_FIELDS, CheckIn, Commitment, Prompt

    link(alice, bob)
    prompts = list(Prompt.objects.current().values_list("slug", flat=True))
    mine = answer(alice, prompts[0], f"{SHARED} 0", sharing="shared")
    answer(bob, prompts[0], "Bob's answer 0", sharing="when_both")
    bob_browser = signed_in(bob)
    bob_browser.post(f"/us/answers/{mine.pk}/reply/", {"kind": "thanks"})
    for user in (alice, bob):
        make_commitment(author=user, text="One step.", due_on=timezone.localdate(), shared=True)
    browser = signed_in(alice)
    urls = ("/us/", "/us/?page=2", "/check-ins/", "/commitments/", "/")
    for url in urls:
        browser.get(url)  # first visits write once (the home page's stage bookkeeping)
    few = {url: _queries(browser, url) for url in urls}

    for n, slug in enumerate(prompts[1:], start=1):
        shared = answer(alice, slug, f"{SHARED} {n}", sharing="shared")
        answer(bob, slug, f"Bob's answer {n}", sharing="when_both" if n % 2 else "shared")
        for _ in range(2):
            bob_browser.post(f"/us/answers/{shared.pk}/reply/", {"kind": "words", "text": "Yes."})
    today = timezone.localdate()
    for user in (alice, bob):
        CheckIn.objects.bulk_create(
            CheckIn(
                author=user,
                taken_on=today - timedelta(days=day),
                shared_with=couple_of(user),
                note="n",
                **dict.fromkeys(SELF_FIELDS + SPOUSE_FIELDS, 3),
            )
            for day in range(60)
        )
        Commitment.objects.bulk_create(
            Commitment(
                author=user,
                text=f"Step {n}.",
                due_on=today + timedelta(days=n),
                shared_with=couple_of(user),
            )
            for n in range(40)
        )
    assert len(prompts) > 20 and Reply.objects.count() > 40

    assert {url: _queries(browser, url) for url in urls} == few
    older = browser.get("/us/?page=2")
    assert older.status_code == 200
    assert "Older shares" in browser.get("/us/").content.decode()
    assert "Newer shares" in older.content.decode()
