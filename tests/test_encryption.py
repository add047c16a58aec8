"""Journal text at rest: encrypted, and the key can be rotated without losing a word."""

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from accounts.links import couple_of
from course.journal import save_answer
from course.models import Answer, AnswerVersion, Prompt
from tests.factories import answer, lesson_slugs, link, prompt_slugs, signed_in

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def raw_texts() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM course_answer")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_key_rotation_re_encrypts_everything_with_the_new_key(settings, alice, content):
    settings.JOURNAL_KEYS = [OLD]
    prompt = Prompt.objects.first()
    save_answer(author=alice, prompt=prompt, text="Rotated but never lost.", base_version=0)
    before = raw_texts()
    assert Fernet(OLD.encode()).decrypt(before[0].encode()) == b"Rotated but never lost."

    settings.JOURNAL_KEYS = [NEW, OLD]
    call_command("rotate_journal_key", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.JOURNAL_KEYS = [NEW]
    assert Answer.objects.get(author=alice).text == "Rotated but never lost."
    assert raw_texts() != before
    assert Fernet(NEW.encode()).decrypt(raw_texts()[0].encode()) == b"Rotated but never lost."


SECRET = "the blue lighthouse behind the bakery"
READABLE = "a later answer, under the current key"


@pytest.fixture
def one_unreadable_answer(settings, alice, bob, content):
    """alice shared two answers: one written under a key since removed from settings."""
    link(alice, bob)
    first, second = prompt_slugs(lesson_slugs("honesty")[0])[:2]
    settings.JOURNAL_KEYS = [OLD]
    answer(alice, first, SECRET)
    settings.JOURNAL_KEYS = [NEW]
    answer(alice, second, READABLE)
    Answer.objects.update(sharing="shared", shared_with=couple_of(alice))
    return first


def test_one_unreadable_answer_leaves_every_page_standing(
    one_unreadable_answer, alice, bob, caplog
):
    before = raw_texts()
    pages = {
        alice: ["/", "/journal/", f"/journal/{one_unreadable_answer}/", "/journal/workbook/"],
        bob: ["/us/"],
    }
    for person, urls in pages.items():
        browser = signed_in(person)
        for url in urls:
            response = browser.get(url)
            assert response.status_code == 200, url
            page = response.content.decode()
            if url != "/":
                assert "cannot be read at the moment" in page, url
            if url in ("/journal/", "/journal/workbook/", "/us/"):
                assert READABLE in page, url
    lesson = signed_in(alice).get(f"/course/{lesson_slugs('honesty')[0]}/")
    assert lesson.status_code == 200
    assert READABLE in lesson.content.decode()
    assert raw_texts() == before

    logged = [record for record in caplog.records if "could not be decrypted" in record.message]
    assert logged and all(record.levelname == "ERROR" for record in logged)
    everything_logged = "\n".join(record.getMessage() for record in caplog.records)
    assert SECRET not in everything_logged and READABLE not in everything_logged
    assert not [token for token in before if token in everything_logged]


def test_saving_over_an_unreadable_answer_keeps_it_and_the_new_words(
    one_unreadable_answer, alice, settings
):
    stored = Answer.objects.get(author=alice, prompt_id=one_unreadable_answer)
    before = raw_texts()

    response = signed_in(alice).post(
        f"/journal/{one_unreadable_answer}/",
        {"text": "new words", "base_version": stored.version, "sharing": "shared"},
    )

    assert response.status_code == 400
    assert "new words" in response.content.decode()
    assert raw_texts() == before
    settings.JOURNAL_KEYS = [NEW, OLD]
    assert Answer.objects.get(pk=stored.pk).text == SECRET


def test_key_rotation_refuses_to_call_unreadable_rows_rotated(one_unreadable_answer, settings):
    before = raw_texts()

    with pytest.raises(CommandError, match="2 row"):
        call_command("rotate_journal_key", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert set(before) & set(raw_texts()), "the unreadable row was rewritten"
    settings.JOURNAL_KEYS = [NEW, OLD]
    assert Answer.objects.get(prompt_id=one_unreadable_answer).text == SECRET


def test_restoring_an_unreadable_version_brings_back_its_words_not_the_notice(
    settings, alice, content
):
    prompt = prompt_slugs(lesson_slugs("honesty")[0])[0]
    settings.JOURNAL_KEYS = [OLD]
    answer(alice, prompt, SECRET)
    AnswerVersion.objects.update(saved_at=timezone.now() - timedelta(hours=1))
    settings.JOURNAL_KEYS = [NEW]
    answer(alice, prompt, READABLE)

    restored = signed_in(alice).post(f"/journal/{prompt}/history/1/restore/")

    assert restored.status_code == 302
    settings.JOURNAL_KEYS = [NEW, OLD]
    current = Answer.objects.get(author=alice, prompt_id=prompt)
    assert current.text == SECRET
    assert [v.text for v in current.versions.order_by("version")] == [SECRET, READABLE, SECRET]
