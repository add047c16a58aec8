"""The permission matrix: every URL the project serves, as every persona.

The URL list comes from the resolver, so a new URL without a row in EXPECTED (or a new
path parameter without a value in PARAMS) fails here. Personas: alice is the owner of
everything the parameters point at, bob her partner, carol a stranger, dave a member of
another couple (with erin), frank her former partner, and an anonymous visitor. Bob is
her *new* partner: she was linked with frank first, shared things with him, unlinked and
then linked with bob, so nothing she shared with frank may reach either of them. Admin and
allauth's own pages are left to their own tests.

Outcomes: "200", "404", "405", "410" are status codes; "302-login" and "302-reauth" are
redirects to sign in or to confirm the password; "302" is any other redirect.
"""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.links import couple_of
from accounts.models import Invitation, Notice
from accounts.services import digest, unlink
from course.agreements import offer, start_agreement
from course.checkins import record_checkin
from course.commitments import make_commitment, propose_commitment
from course.journal import settle_ended_shares
from course.models import SIGN_KEYS, Agreement, Answer, AnswerVersion, Commitment
from tests.conftest import make_person
from tests.factories import answer, lesson_slugs, link, prompt_slugs, signed_in

ANSWER_SECRET = "the blue lighthouse behind the bakery"
DRAFT_SECRET = "a crooked draft about the orchard"
NOTE_SECRET = "the note about the quiet ferry"
COMMITMENT_SECRET = "I will stop visiting the harbour bar"
# Shared with frank while they were linked: after the unlink, nobody but alice sees them.
FORMER_ANSWER = "an answer alice once shared with frank"
FORMER_NOTE = "a check-in note alice once shared with frank"
FORMER_COMMITMENT = "a commitment alice once shared with frank"
FORMER_PROPOSAL = "a proposal frank made to alice"
FORMER_AGREEMENT = "a time-out agreement alice once offered to frank"
SECRETS = (
    ANSWER_SECRET,
    DRAFT_SECRET,
    NOTE_SECRET,
    COMMITMENT_SECRET,
    FORMER_ANSWER,
    FORMER_NOTE,
    FORMER_COMMITMENT,
    FORMER_PROPOSAL,
    FORMER_AGREEMENT,
)
SHARED_TEXT = "an answer alice chose to share"
TOKEN = "alices-live-invitation-token"

PERSONAS = ("anonymous", "owner", "partner", "stranger", "other_couple", "former_partner")


def row(anonymous, owner, partner=None, stranger=None, other_couple=None) -> dict:
    """Partner, stranger and other couple default to the owner's outcome; a former
    partner is a stranger now."""
    return {
        "anonymous": anonymous,
        "owner": owner,
        "partner": partner or owner,
        "stranger": stranger or partner or owner,
        "other_couple": other_couple or stranger or partner or owner,
        "former_partner": stranger or partner or owner,
    }


SIGNED_IN_PAGE = row("302-login", "200")
POST_ONLY = row("302-login", "405")
REAUTH = row("302-login", "302-reauth")
# POSTs a visitor may make: they store nothing (the private safety check).
OPEN_TO_VISITORS = {"/safety-check/"}

# What a GET answers, by URL name and persona.
EXPECTED = {
    "home": row("200", "200"),
    "start": row("200", "302"),
    "about": row("200", "200"),
    "privacy": row("200", "200"),
    "healthz": row("200", "200"),
    # Open to everyone, visitors too: it stores nothing and shows only general help.
    "safety_check": row("200", "200"),
    # Saves only the signed-in person's own drafts, then signs them out.
    "quick_exit": POST_ONLY,
    "course:outline": row("200", "200"),
    "course:lesson": row("200", "200"),
    "course:complete": POST_ONLY,
    "course:undo": POST_ONLY,
    "journal:index": SIGNED_IN_PAGE,
    "journal:export_json": REAUTH,
    "journal:export_markdown": REAUTH,
    "journal:workbook": SIGNED_IN_PAGE,
    # Everyone answers the question for themselves: the page holds only their own answer.
    "journal:answer": SIGNED_IN_PAGE,
    "journal:share": POST_ONLY,
    "journal:history": row("302-login", "200", "404"),
    "journal:restore": POST_ONLY,
    "checkins:index": SIGNED_IN_PAGE,
    "checkins:take": SIGNED_IN_PAGE,
    "checkins:sharing": POST_ONLY,
    "checkins:share": POST_ONLY,
    # Only the author deletes; the partner, who sees the shared scores, gets 404 too.
    "checkins:delete": row("302-login", "200", "404"),
    "commitments:index": SIGNED_IN_PAGE,
    "commitments:create": POST_ONLY,
    "commitments:propose": POST_ONLY,
    "commitments:detail": row("302-login", "200", "200", "404"),
    "commitments:mark": POST_ONLY,
    "commitments:confirm": POST_ONLY,
    "commitments:answer": POST_ONLY,
    "commitments:withdraw": POST_ONLY,
    "us:index": SIGNED_IN_PAGE,
    "us:reply": POST_ONLY,
    "us:invite": POST_ONLY,
    # Shows a new invitation's link once, from the inviter's own session; anyone else
    # (and a reload) is told it was shown once.
    "us:invitation_created": SIGNED_IN_PAGE,
    "us:cancel": POST_ONLY,
    # A link shows who invited you to anyone free to accept; the others learn why not.
    "us:join": row("200", "410", "410", "200", "410"),
    "us:code": SIGNED_IN_PAGE,
    "us:answer": POST_ONLY,
    "us:walk_together": POST_ONLY,
    "us:unlink": REAUTH,
    "accounts:account": SIGNED_IN_PAGE,
    # Where each spouse stands is their own: the page shows only the viewer's answer.
    "accounts:role": SIGNED_IN_PAGE,
    "accounts:activity": SIGNED_IN_PAGE,
    # Each spouse's own reminder: the page reads and writes only the viewer's row.
    "accounts:reminders": SIGNED_IN_PAGE,
    "accounts:dismiss_notice": POST_ONLY,
    "accounts:sign_out_everywhere": POST_ONLY,
    "accounts:export": REAUTH,
    "accounts:delete": SIGNED_IN_PAGE,
    "agreements:index": SIGNED_IN_PAGE,
    "agreements:start": SIGNED_IN_PAGE,
    # alice's agreement, offered to the link: her partner reads it and may change it.
    "agreements:detail": row("302-login", "200", "200", "404"),
    "agreements:change": row("302-login", "200", "200", "404"),
    "agreements:offer": POST_ONLY,
    "agreements:take_back": POST_ONLY,
    "agreements:agree": POST_ONLY,
    "agreements:step_back": POST_ONLY,
}

# Path parameters, by "namespace:parameter": values owned by alice.
PARAMS = {
    "course:slug": lambda world: world["lesson"],
    "journal:slug": lambda world: world["prompt"],
    "journal:version": lambda world: 1,
    "checkins:pk": lambda world: world["checkin"].pk,
    "commitments:pk": lambda world: world["shared_commitment"].pk,
    "us:token": lambda world: TOKEN,
    "us:invitation_id": lambda world: world["invitation"].pk,
    "us:answer_id": lambda world: world["shared_answer"].pk,
    "accounts:notice_id": lambda world: world["notice"].pk,
    "agreements:kind": lambda world: "triggers",
    "agreements:pk": lambda world: world["agreement"].pk,
}


def _is_left_to_others(resolver: URLResolver) -> bool:
    module = getattr(resolver.urlconf_module, "__name__", "")
    return module.startswith("allauth") or resolver.app_name == "admin"


def project_urls(resolver=None, prefix="", namespace=""):
    """(url name, route, namespace) for every pattern the project itself serves."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if _is_left_to_others(pattern):
                continue
            inner = pattern.namespace or namespace
            yield from project_urls(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, prefix + str(pattern.pattern), namespace


def fill(route: str, namespace: str, world: dict) -> str:
    path = route
    for name in pattern_parameters(route):
        key = f"{namespace}:{name}"
        assert key in PARAMS, f"no value for <{name}> in {route}: add {key!r} to PARAMS"
        value = PARAMS[key](world)
        path = path.replace(_placeholder(route, name), str(value))
    return "/" + path


def pattern_parameters(route: str) -> list[str]:
    return [m.split(":")[-1] for m in re.findall(r"<([^>]+)>", route)]


def _placeholder(route: str, name: str) -> str:
    return re.search(rf"<(?:[^>:]+:)?{name}>", route)[0]


def cache_control(response) -> str:
    return response.headers.get("Cache-Control", "(none)")


def is_private_no_store(response) -> bool:
    """Neither the browser's cache nor a proxy may keep a copy."""
    directives = {part.strip() for part in cache_control(response).split(",")}
    return {"private", "no-store"} <= directives


def outcome(response) -> str:
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith("/accounts/login/"):
            return "302-login"
        if location.startswith("/accounts/reauthenticate/"):
            return "302-reauth"
        return "302"
    return str(response.status_code)


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(alice, bob, carol, content) -> dict:
    """alice writes private and shared things; bob is her partner; dave and erin a couple."""
    dave, erin, frank = make_person("Dave"), make_person("Erin"), make_person("Frank")
    link(alice, frank)
    lesson = lesson_slugs("honesty")[0]
    answer(alice, prompt_slugs(lesson)[2], FORMER_ANSWER, sharing="shared")
    yesterday = timezone.localdate() - timedelta(days=1)
    record_checkin(
        author=alice,
        taken_on=yesterday,
        self_scores=dict.fromkeys(SIGN_KEYS, 2),
        note=FORMER_NOTE,
        shared=True,
        note_shared=True,
    )
    make_commitment(author=alice, text=FORMER_COMMITMENT, due_on=yesterday, shared=True)
    propose_commitment(proposer=frank, partner=alice, text=FORMER_PROPOSAL, due_on=yesterday)
    review_on = timezone.localdate() + timedelta(days=30)
    former_agreement = start_agreement(
        author=alice, kind="time-out", text=FORMER_AGREEMENT, review_on=review_on
    )
    offer(author=alice, agreement=former_agreement)
    unlink(user=alice)
    link(alice, bob)
    link(dave, erin)
    # As her next page would: what was shared with frank is stored as private now.
    settle_ended_shares(Answer.objects.of(alice))
    lesson = lesson_slugs("honesty")[0]
    private_prompt, shared_prompt = prompt_slugs(lesson)[:2]
    answer(alice, private_prompt, DRAFT_SECRET)
    AnswerVersion.objects.update(saved_at=timezone.now() - timedelta(hours=1))
    answer(alice, private_prompt, ANSWER_SECRET)
    shared = answer(alice, shared_prompt, SHARED_TEXT)
    Answer.objects.filter(pk=shared.pk).update(sharing="shared", shared_with=couple_of(alice))
    scores = dict.fromkeys(SIGN_KEYS, 4)
    # Scores shared, note not: the partner sees the numbers but never the note.
    checkin, _ = record_checkin(
        author=alice,
        taken_on=timezone.localdate(),
        self_scores=scores,
        note=NOTE_SECRET,
        shared=True,
    )
    make_commitment(author=alice, text=COMMITMENT_SECRET, due_on=timezone.localdate())
    shared_commitment = make_commitment(
        author=alice, text="Home by six on Tuesday", due_on=timezone.localdate(), shared=True
    )
    agreement = start_agreement(
        author=alice, kind="openness", text="A month of open phones", review_on=review_on
    )
    offer(author=alice, agreement=agreement)
    # alice is linked, so the service would refuse a new invitation: this is one she made
    # earlier that is still open, the case the join page must handle.
    invitation = Invitation.objects.create(
        inviter=alice,
        token_hash=digest(TOKEN),
        code_hash=digest("ALICECODE"),
        expires_at=timezone.now() + timedelta(days=7),
    )
    return {
        "people": {
            "owner": alice,
            "partner": bob,
            "stranger": carol,
            "other_couple": dave,
            "former_partner": frank,
        },
        "lesson": lesson,
        "prompt": private_prompt,
        "checkin": checkin,
        "shared_commitment": shared_commitment,
        "shared_answer": shared,
        "notice": Notice.objects.filter(user=alice).first(),
        "invitation": invitation,
        "agreement": agreement,
        "former_agreement": former_agreement,
    }


def client_as(world, persona: str) -> Client:
    browser = Client()
    if persona != "anonymous":
        browser.force_login(world["people"][persona])
    return browser


def fingerprint(world) -> list:
    """Everything of alice's that nobody else may change."""
    alice = world["people"]["owner"]
    return [
        sorted((a.prompt_id, a.text, a.sharing, a.version) for a in Answer.objects.of(alice)),
        sorted((c.taken_on, c.note, c.shared, c.note_shared) for c in alice.checkins.all()),
        sorted(
            (c.text, c.status, c.shared, c.partner_confirmed_at)
            for c in Commitment.objects.filter(author=alice)
        ),
        sorted(Invitation.objects.filter(inviter=alice).values_list("pk", "status")),
        sorted(Notice.objects.filter(user=alice).values_list("pk", "dismissed_at")),
        alice.membership.couple_id,
        alice.display_name,
        sorted(
            (a.kind, a.shared_with_id, [(v.number, v.text, v.agreed_at) for v in a.versions.all()])
            for a in Agreement.objects.filter(author=alice)
        ),
    ]


def test_every_url_has_a_row_and_no_row_is_stale():
    names = {name for name, _, _ in project_urls()}
    assert names - EXPECTED.keys() == set(), "new URLs: add them to EXPECTED"
    assert EXPECTED.keys() - names == set(), "EXPECTED names URLs that no longer exist"
    for name, route, namespace in project_urls():
        for parameter in pattern_parameters(route):
            assert f"{namespace}:{parameter}" in PARAMS, f"{name}: no value for <{parameter}>"


def test_every_url_answers_every_persona_as_the_table_says(world):
    found, wrong = {}, []
    for name, route, namespace in project_urls():
        url = fill(route, namespace, world)
        for persona in PERSONAS:
            response = client_as(world, persona).get(url)
            got = outcome(response)
            found[name, persona] = got
            if got != EXPECTED[name][persona]:
                wrong.append(f"GET {url} as {persona}: {got}, expected {EXPECTED[name][persona]}")
            if persona != "anonymous" and not is_private_no_store(response):
                wrong.append(f"GET {url} as {persona}: Cache-Control is {cache_control(response)}")
            if persona != "owner" and response.status_code == 200:
                text = response.content.decode()
                leaked = [secret for secret in SECRETS if secret in text]
                assert not leaked, f"GET {url} as {persona} shows {leaked}"
    assert not wrong, "\n".join(wrong)


def test_posts_never_fail_and_never_change_or_show_anothers_data(world):
    urls = [fill(route, namespace, world) for _, route, namespace in project_urls()]
    before = fingerprint(world)
    for persona in ("anonymous", "partner", "stranger", "other_couple", "former_partner"):
        for url in urls:
            response = client_as(world, persona).post(url)
            assert response.status_code < 500, f"POST {url} as {persona}"
            if persona != "anonymous":
                assert is_private_no_store(response), f"POST {url} as {persona}"
            if persona == "anonymous" and url in OPEN_TO_VISITORS:
                assert response.status_code == 200, f"POST {url} as anonymous"
            elif persona == "anonymous":
                # 401: a signed-out form gets its words back, with a way to sign in.
                assert outcome(response) in ("302-login", "401", "405"), f"POST {url} as anonymous"
                if response.status_code == 401:
                    assert is_private_no_store(response), f"POST {url} as anonymous"
            text = response.content.decode()
            # The partner may read what alice shared with him, on any page.
            hidden = SECRETS if persona == "partner" else (*SECRETS, SHARED_TEXT)
            leaked = [secret for secret in hidden if secret in text]
            assert not leaked, f"POST {url} as {persona} shows {leaked}"
            assert fingerprint(world) == before, f"POST {url} as {persona} changed alice's data"
    for url in urls:
        response = client_as(world, "owner").post(url)
        assert response.status_code < 500, f"POST {url} as owner"


def test_no_post_without_its_csrf_token_is_ever_carried_out(world):
    """Every state-changing URL refuses a POST that carries the CSRF cookie but not the
    token, as the owner herself: a page on another site could otherwise act for her."""
    urls = [fill(route, namespace, world) for _, route, namespace in project_urls()]
    urls += list(allauth_pages())
    before = fingerprint(world)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world["people"]["owner"])
    assert browser.get("/journal/").status_code == 200
    assert settings.CSRF_COOKIE_NAME in browser.cookies
    answer_url = f"/journal/{world['prompt']}/"
    posts = {
        url: {"text": "forged", "base_version": 2, "sharing": "shared", "answer": "accept"}
        for url in urls
    }
    accepted = [
        f"POST {url}: {response.status_code}"
        for url, data in posts.items()
        if (response := browser.post(url, data)).status_code != 403
    ]
    assert not accepted, "\n".join(accepted)
    assert answer_url in posts
    assert fingerprint(world) == before
    # The same POST with its token goes through, so the 403s above are the token's doing.
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value
    saved = browser.post(
        answer_url, {"text": "with a token", "base_version": 2}, HTTP_X_CSRFTOKEN=token
    )
    assert saved.status_code in (200, 302)
    mine = Answer.objects.get(author=world["people"]["owner"], prompt_id=world["prompt"])
    assert mine.text == "with a token"


def allauth_pages():
    """allauth's own pages that take no parameter (sign-in, email, two-factor, sessions)."""
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and _is_left_to_others(pattern):
            if pattern.app_name == "admin":
                continue
            yield from (
                "/" + route
                for _, route, _ in project_urls_of(pattern, str(pattern.pattern))
                if not pattern_parameters(route)
            )


def project_urls_of(resolver, prefix):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from project_urls_of(pattern, prefix + str(pattern.pattern))
        else:
            yield pattern.name, prefix + str(pattern.pattern), ""


def test_allauths_pages_answer_and_are_never_stored_for_a_signed_in_person(world):
    pages = list(allauth_pages())
    assert {"/accounts/sessions/", "/accounts/2fa/", "/accounts/email/"} <= set(pages)
    for persona in ("owner", "partner", "stranger"):
        browser = signed_in(world["people"][persona])
        for url in pages:
            response = browser.get(url)
            assert response.status_code < 500, f"GET {url} as {persona}"
            assert is_private_no_store(response), (
                f"GET {url} as {persona}: {cache_control(response)}"
            )


def test_the_owner_sees_her_own_secrets_so_the_checks_above_can_fail(world):
    alice = client_as(world, "owner")
    pages = {
        ANSWER_SECRET: "/journal/",
        DRAFT_SECRET: f"/journal/{world['prompt']}/history/",
        NOTE_SECRET: "/check-ins/",
        COMMITMENT_SECRET: "/commitments/",
        FORMER_ANSWER: "/journal/",
        FORMER_NOTE: "/check-ins/",
        FORMER_COMMITMENT: "/commitments/",
        FORMER_AGREEMENT: f"/agreements/{world['former_agreement'].pk}/",
    }
    for secret, url in pages.items():
        assert secret in alice.get(url).content.decode(), url
    assert SHARED_TEXT in client_as(world, "partner").get("/us/").content.decode()


def test_what_was_shared_in_an_ended_link_is_private_again_in_the_database(world):
    alice = world["people"]["owner"]
    # Texts are encrypted at rest, so they are found in Python.
    (former,) = [a for a in Answer.objects.of(alice) if a.text == FORMER_ANSWER]
    assert (former.shared_with, former.current_sharing) == (None, "private")
    (note,) = [c for c in alice.checkins.all() if c.note == FORMER_NOTE]
    assert note.shared_with is None and not note.shared
    commitments = {c.text: c for c in Commitment.objects.all()}
    assert commitments[FORMER_COMMITMENT].shared_with is None
    assert FORMER_PROPOSAL not in commitments, "a proposal still waiting goes with the link"
    world["former_agreement"].refresh_from_db()
    assert world["former_agreement"].shared_with is None
    url = f"/agreements/{world['former_agreement'].pk}/"
    for persona in ("partner", "former_partner", "stranger"):
        assert client_as(world, persona).get(url).status_code == 404, persona


def test_the_partner_sees_shared_check_in_scores_but_not_the_private_note(world):
    page = client_as(world, "partner").get("/us/").content.decode()
    assert "4.0" in page
    assert NOTE_SECRET not in page


def test_a_private_commitment_is_404_to_everyone_but_its_author(world):
    # Texts are encrypted at rest, so they are found in Python.
    (private,) = [c for c in Commitment.objects.all() if c.text == COMMITMENT_SECRET]
    url = f"/commitments/{private.pk}/"
    assert client_as(world, "owner").get(url).status_code == 200
    for persona in ("partner", "stranger", "other_couple"):
        assert client_as(world, persona).get(url).status_code == 404, persona


@pytest.mark.parametrize(
    "url", ["/journal/export.json", "/journal/export.md", "/account/export.json"]
)
def test_exports_hold_only_their_authors_writing(world, url):
    own = signed_in(world["people"]["owner"]).get(url)
    assert own.status_code == 200
    text = b"".join(own.streaming_content if own.streaming else [own.content]).decode()
    assert ANSWER_SECRET in text
    for persona in ("partner", "stranger", "other_couple"):
        response = signed_in(world["people"][persona]).get(url)
        assert response.status_code == 200
        text = response.content.decode()
        assert not [secret for secret in (*SECRETS, SHARED_TEXT) if secret in text], persona
