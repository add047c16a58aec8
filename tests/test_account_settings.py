"""/account/: a spouse's settings, saved as chosen, and a refused choice keeps the rest."""

import html
import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User


def settings_form(**changes) -> dict:
    return {
        "display_name": "Alice",
        "progress_shown": User.ProgressShown.STAGES,
        "time_zone": "",
        **changes,
    }


def selected_zone(page: str) -> list[str]:
    select = re.search(r'<select name="time_zone".*?</select>', page, re.S).group(0)
    chosen = re.findall(r'<option value="([^"]*)"[^>]*selected', select)
    return [html.unescape(value) for value in chosen]


def signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_the_page_offers_every_time_zone_and_marks_the_spouses_own(alice):
    alice.time_zone = "Asia/Kolkata"
    alice.save(update_fields=["time_zone"])

    response = signed_in(alice).get("/account/")

    assert response.status_code == 200
    page = response.content.decode()
    assert selected_zone(page) == ["Asia/Kolkata"]
    assert '<option value="">The site&#' in page
    for zone in ("Africa/Abidjan", "America/Sao_Paulo", "Australia/Sydney", "Europe/Brussels"):
        assert f'<option value="{zone}">{zone}</option>' in page


def test_a_spouse_with_no_zone_sees_the_sites_zone_chosen(alice):
    response = signed_in(alice).get("/account/")

    assert response.status_code == 200
    assert selected_zone(response.content.decode()) == [""]


def test_a_chosen_time_zone_is_saved_and_shown_next_time(alice):
    browser = signed_in(alice)

    response = browser.post("/account/", settings_form(time_zone="America/Sao_Paulo"))

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.time_zone == "America/Sao_Paulo"
    assert selected_zone(browser.get("/account/").content.decode()) == ["America/Sao_Paulo"]


def test_a_zone_that_does_not_exist_is_refused_and_the_rest_is_kept(alice):
    alice.time_zone = "Asia/Kolkata"
    alice.save(update_fields=["time_zone"])

    response = signed_in(alice).post(
        "/account/", settings_form(display_name="Ali, typed just now", time_zone="Mars/Olympus")
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "We do not know the time zone" in page
    assert 'value="Ali, typed just now"' in page
    alice.refresh_from_db()
    assert (alice.display_name, alice.time_zone) == ("Alice", "Asia/Kolkata")


def test_the_page_reads_no_more_for_a_spouse_who_has_set_everything(alice, bob):
    browser = signed_in(alice)
    with CaptureQueriesContext(connection) as plain:
        assert browser.get("/account/").status_code == 200
    bob.time_zone = "Europe/Brussels"
    bob.notify_by_email = True
    bob.save(update_fields=["time_zone", "notify_by_email"])
    browser = signed_in(bob)
    with CaptureQueriesContext(connection) as full:
        assert browser.get("/account/").status_code == 200

    assert len(full) == len(plain)


def test_a_refused_zone_shows_the_stored_one_again_so_saving_twice_keeps_it(alice):
    """A zone the list does not hold (a tampered form, or a tz database that changed
    under an open page) is refused in our words, and the select shows the zone that is
    stored: a second Save must not quietly put the site's zone in its place."""
    alice.time_zone = "Europe/Lisbon"
    alice.save(update_fields=["time_zone"])
    browser = signed_in(alice)

    refused = browser.post("/account/", settings_form(time_zone="Mars/Olympus_Mons"))

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "We do not know the time zone “Mars/Olympus_Mons”" in page
    assert "Select a valid choice" not in page
    assert selected_zone(page) == ["Europe/Lisbon"]
    again = browser.post("/account/", settings_form(time_zone=selected_zone(page)[0]))
    assert again.status_code == 302
    alice.refresh_from_db()
    assert alice.time_zone == "Europe/Lisbon"


def test_a_group_of_choices_is_named_by_its_legend(alice):
    """Radio buttons are grouped in a fieldset named by a legend; a label pointing at
    nothing (for="") names nothing for a screen reader."""
    response = signed_in(alice).get("/account/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<label for="">' not in page
    group = re.search(r"<fieldset[^>]*>\s*<legend>(.*?)</legend>(.*?)</fieldset>", page, re.S)
    assert group and "What my spouse sees" in group[1]
    assert 'name="progress_shown"' in group[2]
