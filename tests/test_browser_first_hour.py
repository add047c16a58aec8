"""The first hour of a new couple, in real Chromium, on a phone and a desktop: the words of
the account pages, the way from the free lesson to an account, exports that bring the
person back, a journal without dead links, check-ins that start gently, commitments easy
to confirm, invitations easy to pass on, and the About and Privacy pages. Every page
passes axe."""

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from course.checkins import record_checkin
from course.commitments import make_commitment, mark_commitment
from course.models import SIGN_KEYS, Lesson
from tests.conftest import (
    PASSWORD,
    assert_accessible,
    confirm_email,
    fill_sign_up,
    sign_in,
)
from tests.factories import link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
# Words allauth and Django use that Trellis does not.
STOCK = re.compile(
    r"Sign In|Sign Up|Confirm Access|reauthenticate|Successfully|Welcome back"
    "|can\u2019t be entirely numeric|must contain at least|Verify Your|Email Address"
    "|Make Primary|Re-send"
    # allauth's sessions and two-factor pages.
    "|Started At|IP Address|Sign Out|Two-Factor|Authenticator App|Recovery Codes|Activate",
)


def main_text(page) -> str:
    return page.locator("main").inner_text()


def assert_no_stock_words(page) -> None:
    found = STOCK.search(page.locator("body").inner_text() + page.title())
    assert found is None, f"stock wording {found.group(0)!r} on {page.url}"


# --- 1. the account pages, in Trellis's words ---------------------------------------------


@SIZES
def test_a_new_spouse_hears_plain_words_from_sign_up_to_welcome(
    page, live_server, mailoutbox, content, size
):
    page.set_viewport_size(size)
    page.goto(live_server.url + "/accounts/signup/")
    expect(page.get_by_role("heading", name="Create your account", level=1)).to_be_visible()
    expect(page).to_have_title(re.compile("^Create your account"))
    # Password advice in plain words, tied to the field for screen readers.
    expect(page.get_by_label("Password", exact=True)).to_have_accessible_description(
        re.compile("At least 10 characters")
    )
    assert_no_stock_words(page)
    assert_accessible(page)

    email = f"dana{size['width']}@example.com"  # one address per run: mail to it is limited
    fill_sign_up(page, "Dana", email, "quiet harbour lantern 42")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert_no_stock_words(page)
    assert_accessible(page)
    confirm_email(page, mailoutbox, email)

    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_text("Welcome, Dana.")).to_be_visible()
    expect(page.get_by_text("Thank you: your email address is confirmed.")).to_be_visible()
    assert_no_stock_words(page)
    assert_accessible(page)


@SIZES
def test_sign_in_and_password_pages_speak_plainly(page, live_server, alice, size):
    page.set_viewport_size(size)
    page.goto(live_server.url + "/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    assert_no_stock_words(page)
    assert_accessible(page)
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", name="Forgotten your password?")).to_be_visible()
    assert_no_stock_words(page)
    assert_accessible(page)
    page.get_by_label("Email").fill(alice.email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert_no_stock_words(page)
    assert_accessible(page)

    sign_in(page, live_server, alice.email)
    # No stock notice on the way in, and the home page does not pretend she was here before.
    expect(page.get_by_text("Welcome, Alice.")).to_be_visible()
    assert_no_stock_words(page)
    page.goto(live_server.url + "/accounts/password/change/")
    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
    expect(page.get_by_label("New password", exact=True)).to_have_accessible_description(
        re.compile("At least 10 characters")
    )
    assert_no_stock_words(page)
    assert_accessible(page)
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("river stones and morning 7")
    page.get_by_label("New password (again)").fill("river stones and morning 7")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_text("Your new password is saved.")).to_be_visible()

    page.goto(live_server.url + "/account/")
    page.get_by_role("link", name="Email address").click()
    expect(page.get_by_role("heading", name="Your email address", level=1)).to_be_visible()
    expect(page.get_by_label(re.compile(re.escape(alice.email)))).to_be_checked()
    assert_no_stock_words(page)
    assert_accessible(page)


def test_re_authentication_asks_in_plain_words(page, live_server, alice):
    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + "/account/")
    page.get_by_role("link", name="Download my data (JSON)").click()
    expect(page.get_by_role("heading", name="First, is it you?")).to_be_visible()
    expect(page).to_have_title(re.compile("^Is it you?"))
    assert_no_stock_words(page)
    assert_accessible(page)


# How a phone's browser names itself to the server: long, with few places to break a line.
PHONE_BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


@SIZES
def test_where_you_are_signed_in_and_two_step_sign_in_fit_and_speak_plainly(
    page, live_server, alice, size
):
    sign_in(page, live_server, alice.email)
    other = Client(HTTP_USER_AGENT=PHONE_BROWSER)
    signed = other.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    assert signed.status_code == 302
    page.set_viewport_size(size)
    page.goto(live_server.url + "/account/")
    page.get_by_role("link", name="Where you are signed in").click()
    expect(page.get_by_role("heading", name="Where you are signed in", level=1)).to_be_visible()
    expect(page).to_have_title("Where you are signed in · Trellis")
    main = page.locator("main")
    expect(main).to_contain_text(PHONE_BROWSER)
    expect(main).to_contain_text(page.evaluate("navigator.userAgent"))
    expect(main.get_by_text("This device", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out everywhere else")).to_be_visible()
    hidden = page.locator(".table-wrap").evaluate("el => el.scrollWidth - el.clientWidth")
    assert hidden <= 0, f"the sessions table is {hidden}px wider than its box"
    assert_no_sideways_scroll(page)
    assert_no_stock_words(page)
    assert_accessible(page)

    page.goto(live_server.url + "/account/")
    page.get_by_role("link", name="Two-step sign-in").click()
    expect(page.get_by_role("heading", name="Two-step sign-in", level=1)).to_be_visible()
    expect(page).to_have_title("Two-step sign-in · Trellis")
    assert_no_sideways_scroll(page)
    assert_no_stock_words(page)
    assert_accessible(page)
    page.get_by_role("link", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="First, is it you?")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Turn on two-step sign-in", level=1)).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    expect(page.get_by_label("Setup key")).to_have_accessible_description(
        re.compile("Anyone who has this key")
    )
    assert_no_sideways_scroll(page)
    assert_no_stock_words(page)
    assert_accessible(page)


def assert_no_sideways_scroll(page) -> None:
    width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1], f"{page.url} is {width[0]}px wide in a {width[1]}px window"


# --- 2. from the free lesson to an account ------------------------------------------------


@SIZES
def test_next_after_the_free_lesson_says_what_an_account_gives_and_costs(
    page, live_server, alice, content, size
):
    page.set_viewport_size(size)
    first, second = Lesson.objects.filter(stage__slug="honesty").order_by("order")[:2]
    page.goto(live_server.url + first.get_absolute_url())
    page.locator("a[rel=next]").click()

    page.wait_for_url(re.compile(r"/start/\?next="))
    expect(page.get_by_role("heading", name="Keep going with a free account")).to_be_visible()
    expect(page.get_by_text("It costs nothing, now or later")).to_be_visible()
    expect(page.get_by_role("heading", name="What an account gives you")).to_be_visible()
    assert_accessible(page)

    # Signing up or in from here leads on to the lesson the visitor wanted.
    page.get_by_role("link", name="Create your free account").click()
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    assert unquote(page.url).endswith("?next=" + second.get_absolute_url())
    page.go_back()
    page.get_by_role("link", name="I already have one: sign in").click()
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + second.get_absolute_url())


# --- 3. exports bring the person back ------------------------------------------------------


def test_after_an_export_the_person_is_back_where_they_were(page, live_server, alice, content):
    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + "/account/")
    page.get_by_role("link", name="Download my data (JSON)").click()
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_download() as download:
        page.get_by_role("button", name="Continue").click()
    assert '"format": "trellis-account-1"' in Path(download.value.path()).read_text()
    page.wait_for_url(re.compile(r"/account/\?download="))
    expect(page.get_by_role("heading", name="Your account", level=1)).to_be_visible()
    expect(page.get_by_text("Your download has started")).to_be_visible()
    expect(page.get_by_label("Password")).to_have_count(0)
    assert_accessible(page)

    page.context.clear_cookies()  # a new visit: the password is asked again
    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + "/journal/")
    page.get_by_role("link", name="Download as Markdown").click()
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_download() as download:
        page.get_by_role("button", name="Continue").click()
    assert download.value.suggested_filename == "trellis-journal.md"
    page.wait_for_url(re.compile(r"/journal/\?download="))
    expect(page.get_by_role("heading", name="Your journal", level=1)).to_be_visible()
    expect(page.get_by_label("Password")).to_have_count(0)
    assert_accessible(page)


def test_only_trellis_downloads_start_from_a_page(client, alice):
    client.force_login(alice)
    response = client.get("/account/?download=admin:index")
    assert response.status_code == 200
    assert b"http-equiv" not in response.content
    response = client.get("/journal/?download=https://example.com/")
    assert response.status_code == 200
    assert b"http-equiv" not in response.content


# --- 4. the journal ----------------------------------------------------------------------


def test_the_journal_never_links_to_a_question_the_reader_cannot_open(
    page, live_server, alice, content
):
    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + "/journal/")
    expect(page.get_by_text("Not answered yet").first).to_be_visible()
    # The journal shows one stage at a time: look at every one of them.
    stages = page.get_by_role("navigation", name="Stages of your journal").get_by_role("link")
    hrefs = []
    for stage in stages.evaluate_all("links => links.map(link => link.getAttribute('href'))"):
        page.goto(live_server.url + stage)
        hrefs += page.locator("main a[href^='/journal/']").evaluate_all(
            "links => links.map(link => link.getAttribute('href'))"
        )
    expect(page.get_by_text("Opens when you reach this lesson").first).to_be_visible()
    questions = [href for href in hrefs if re.fullmatch(r"/journal/[\w-]+/", href)]
    assert questions, "the first lesson's questions are open and linked"
    for href in set(hrefs):
        response = page.request.get(live_server.url + href)
        assert response.status == 200, href
    assert_accessible(page)


def test_journal_search_shows_only_the_matches(page, live_server, alice, content):
    from tests.factories import answer

    first = Lesson.objects.filter(stage__slug="honesty").order_by("order").first()
    prompts = list(first.prompts.order_by("order"))
    answer(alice, prompts[0].slug, "The lighthouse keeper waited.")
    answer(alice, prompts[1].slug, "Nothing about the sea here.")
    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + "/journal/")
    page.get_by_label("Search your answers").fill("lighthouse")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 answer found")).to_be_visible()
    expect(page.get_by_text("Nothing about the sea here.")).to_have_count(0)
    expect(page.get_by_text("Opens when you reach this lesson")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Show the whole journal").click()
    expect(page.get_by_text("Nothing about the sea here.")).to_be_visible()


def test_earlier_versions_say_close_edits_are_one_version(client, alice, content):
    from tests.factories import answer

    prompt = Lesson.objects.filter(stage__slug="honesty").order_by("order").first().prompts.first()
    answer(alice, prompt.slug, "First words.")
    client.force_login(alice)
    response = client.get(f"/journal/{prompt.slug}/history/")
    assert response.status_code == 200
    assert "within 10 minutes of each other are kept together as one version" in (
        response.content.decode()
    )


# --- 5. check-ins ------------------------------------------------------------------------


def checkin(user, days_ago: int, value: int, note: str = "") -> None:
    record_checkin(
        author=user,
        taken_on=timezone.localdate() - timedelta(days=days_ago),
        self_scores=dict.fromkeys(SIGN_KEYS, value),
        note=note,
    )


@SIZES
def test_one_check_in_shows_no_charts_and_the_table_fits(page, live_server, alice, size, tmp_path):
    checkin(alice, 0, 3, note="A long note " * 12)
    page.set_viewport_size(size)
    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + "/check-ins/")
    expect(page.get_by_text("One check-in so far.")).to_be_visible()
    expect(page.locator("main svg")).to_have_count(0)
    assert_fits(page, tmp_path / f"one-{size['width']}.png")
    assert_accessible(page)

    checkin(alice, 7, 2, note="Still hard.")
    page.reload()
    expect(
        page.get_by_role("img", name=re.compile("Your trust check-ins over time"))
    ).to_be_visible()
    assert_fits(page, tmp_path / f"two-{size['width']}.png")
    assert_accessible(page)


def assert_fits(page, screenshot: Path) -> None:
    """Nothing of the history table hides beyond its box, and the page never scrolls sideways."""
    page.screenshot(path=str(screenshot), full_page=True)
    box = page.locator(".table-wrap")
    overflow = box.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 0, f"the table is {overflow}px wider than its box ({screenshot})"
    sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert sideways <= 0, f"the page scrolls sideways by {sideways}px ({screenshot})"


# --- 6. commitments ----------------------------------------------------------------------


@SIZES
def test_a_kept_promise_waits_at_the_top_for_i_saw_it_kept(page, live_server, alice, bob, size):
    alice_page = page
    link(alice, bob)
    kept = make_commitment(
        author=bob, text="Home by six on Tuesday.", due_on=timezone.localdate(), shared=True
    )
    mark_commitment(author=bob, commitment=kept, kept=True)

    alice_page.set_viewport_size(size)
    sign_in(alice_page, live_server, alice.email)
    nav = alice_page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Commitments").click()
    expect(nav.get_by_role("link", name="Commitments")).to_have_attribute("aria-current", "page")
    expect(alice_page.get_by_role("heading", name="Bob kept a promise")).to_be_visible()
    # Near the top of the page: within the first screen on a desktop, above "Due now".
    button = alice_page.get_by_role("button", name=re.compile("I saw it kept"))
    due = alice_page.get_by_role("heading", name="Due now")
    assert button.bounding_box()["y"] < due.bounding_box()["y"]
    theirs = alice_page.get_by_role("region", name=re.compile("^Bob.s shared commitments$"))
    expect(theirs.get_by_text("has not shared a commitment")).to_have_count(0)
    assert_accessible(alice_page)
    button.click()
    expect(alice_page.get_by_text("Confirmed by you")).to_be_visible()
    expect(alice_page.get_by_role("heading", name="Bob kept a promise")).to_have_count(0)

    # The date of a new commitment starts a week ahead.
    week = (timezone.localdate() + timedelta(days=7)).isoformat()
    form = alice_page.get_by_role("region", name="Make a commitment")
    expect(form.get_by_label("By when?")).to_have_value(week)


# --- 7. invitations ----------------------------------------------------------------------


def test_the_invitation_link_and_code_copy_with_one_tap(page, live_server, alice, settings):
    settings.DEBUG = True  # in development the link points where the person is browsing
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + "/us/")
    page.get_by_role("button", name="Create an invitation").click()
    link_box = page.get_by_label("Invitation link")
    expect(link_box).to_have_value(re.compile("^" + re.escape(live_server.url) + "/us/join/"))
    assert_accessible(page)

    page.get_by_role("button", name="Copy the link").click()
    expect(page.get_by_text("Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == link_box.input_value()
    page.get_by_role("button", name="Copy the code").click()
    code = page.locator("#invite-code").inner_text()
    assert page.evaluate("navigator.clipboard.readText()") == code
    assert_accessible(page)


# --- 8. About and Privacy ----------------------------------------------------------------


@SIZES
def test_about_and_privacy_are_a_click_away_from_every_page(page, live_server, content, size):
    page.set_viewport_size(size)
    first = Lesson.objects.filter(stage__slug="honesty").order_by("order").first()
    for start in ("/", first.get_absolute_url(), "/accounts/login/"):
        page.goto(live_server.url + start)
        page.get_by_role("contentinfo").get_by_role("link", name="About Trellis").click()
        expect(page.get_by_role("heading", name="About Trellis", level=1)).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile("honesty, then safety, then trust"))
    ).to_be_visible()
    expect(page.get_by_text("Trellis makes no promise of outcome.")).to_be_visible()
    expect(page.get_by_role("heading", name="Who it is not for")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("contentinfo").get_by_role("link", name="Privacy").click()
    expect(page.get_by_role("heading", name="Privacy, in plain words", level=1)).to_be_visible()
    for heading in (
        "What we keep",
        "What is encrypted",
        "What is shared, and only by your choice",
        "What an export holds",
        "What deleting removes",
    ):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    assert_accessible(page)


def test_a_wrong_password_is_met_with_plain_words(client, alice):
    response = client.post("/accounts/login/", {"login": alice.email, "password": "not it"})
    assert response.status_code == 200
    assert "That email address and password do not match." in response.content.decode()
