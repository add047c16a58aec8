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


class TabInAnotherThread:
    """A browser tab, signed in as `user`, posting an autosave from its own thread (and
    database connection) while the test holds a transaction open."""

    def __init__(self, user, url: str, data: dict):
        self.response = None
        self.thread = threading.Thread(target=self._post, args=(user, url, data))

    def _post(self, user, url, data):
        browser = Client()
        browser.force_login(user)
        try:
            self.response = browser.post(url, data, headers={"Accept": "application/json"})
        finally:
            connections.close_all()

    def start_and_let_it_wait(self) -> None:
        self.thread.start()
        time.sleep(1.0)  # long enough for it to reach the lock the test holds

    def finish(self):
        self.thread.join(timeout=30)
        return self.response


def test_two_first_saves_at_once_are_a_conflict_not_a_500(alice, content):
    slug = prompt_slugs(lesson_slugs("honesty")[0])[0]
    prompt = Prompt.objects.get(slug=slug)
    second = TabInAnotherThread(
        alice, f"/journal/{slug}/", {"text": "Words from the second tab.", "base_version": 0}
    )

    with transaction.atomic():
        Answer.objects.create(author=alice, prompt=prompt, text="Words from the first tab.")
        second.start_and_let_it_wait()  # on the unique constraint
    response = second.finish()

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
    tab = TabInAnotherThread(
        alice,
        f"/journal/{slug}/",
        {"text": "Words shared as the link ends.", "base_version": 0, "sharing": "shared"},
    )

    with transaction.atomic():
        Couple.objects.filter(members__user=bob).delete()  # bob unlinks
        tab.start_and_let_it_wait()  # on the couple row
    response = tab.finish()

    assert response.status_code == 200
    answer = Answer.objects.get(author=alice)
    assert answer.text == "Words shared as the link ends."
    assert answer.sharing == "private"
    assert answer.shared_with_id is None
