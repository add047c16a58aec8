"""Two tabs saving a first answer at the same moment (issue 18).

On PostgreSQL the second INSERT waits on the unique constraint until the first commits,
then fails; the save must come back as a conflict (nothing lost, both texts shown), never
a 500. The test holds the first tab's INSERT open in a transaction of its own, so the
race happens every time rather than by luck.
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from course.models import Answer, Prompt
from tests.factories import lesson_slugs, prompt_slugs

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers; the race needs PostgreSQL (CI runs both)",
    ),
]


def test_two_first_saves_at_once_are_a_conflict_not_a_500(alice, content):
    slug = prompt_slugs(lesson_slugs("honesty")[0])[0]
    prompt = Prompt.objects.get(slug=slug)
    results = {}

    def second_tab():
        browser = Client()
        browser.force_login(alice)
        try:
            results["response"] = browser.post(
                f"/journal/{slug}/",
                {"text": "Words from the second tab.", "base_version": 0},
                headers={"Accept": "application/json"},
            )
        finally:
            connections.close_all()

    with transaction.atomic():
        Answer.objects.create(author=alice, prompt=prompt, text="Words from the first tab.")
        tab = threading.Thread(target=second_tab)
        tab.start()
        time.sleep(1.0)  # the second tab is now waiting on the unique constraint
    tab.join(timeout=30)

    response = results["response"]
    assert response.status_code == 409
    assert response.json() == {"conflict": True}
    assert [a.text for a in Answer.objects.filter(author=alice)] == ["Words from the first tab."]


def test_a_share_racing_an_unlink_is_kept_private_not_a_500(alice, bob, content):
    """The unlink's DELETE of the couple is under way (not yet committed) when alice's
    tab shares an answer: the save must wait for it and store the answer private, since
    the link it would be shared with is gone. Before, it read the couple before taking
    any lock, wrote a share pointing at a deleted link, and answered 500."""
    from accounts.models import Couple
    from tests.factories import link

    link(alice, bob)
    slug = prompt_slugs(lesson_slugs("honesty")[0])[0]
    results = {}

    def alice_tab():
        browser = Client()
        browser.force_login(alice)
        try:
            results["response"] = browser.post(
                f"/journal/{slug}/",
                {"text": "Words shared as the link ends.", "base_version": 0, "sharing": "shared"},
                headers={"Accept": "application/json"},
            )
        finally:
            connections.close_all()

    with transaction.atomic():
        Couple.objects.filter(members__user=bob).delete()  # bob unlinks
        tab = threading.Thread(target=alice_tab)
        tab.start()
        time.sleep(1.0)  # alice's save is now waiting on the couple row
    tab.join(timeout=30)

    response = results["response"]
    assert response.status_code == 200
    answer = Answer.objects.get(author=alice)
    assert answer.text == "Words shared as the link ends."
    assert answer.sharing == "private"
    assert answer.shared_with_id is None
