"""`manage.py demo` gives a newcomer a couple with weeks of history to look at."""

import io

from django.core.management import call_command
from django.test import Client

from accounts.models import User
from course.models import Answer, CheckIn, Commitment, Reply

DEMO_PASSWORD = "trellis-demo-couple"


def test_the_demo_couple_has_weeks_of_history_and_every_page_opens(content, settings):
    settings.DEBUG = True
    call_command("demo", stdout=io.StringIO())

    sam, jo = User.objects.get(display_name="Sam"), User.objects.get(display_name="Jo")
    assert sam.membership.couple_id == jo.membership.couple_id
    assert Answer.objects.filter(shared_with__isnull=False).count() >= 3
    assert Reply.objects.count() == 3
    assert CheckIn.objects.filter(author=jo).count() == 6
    statuses = set(Commitment.objects.values_list("status", flat=True))
    assert {"kept", "not_kept", "open", "proposed"} <= statuses
    for person in (sam, jo):
        browser = Client()
        assert browser.login(email=person.email, password=DEMO_PASSWORD)
        for url in ("/", "/us/", "/journal/", "/check-ins/", "/commitments/"):
            assert browser.get(url).status_code == 200, url
