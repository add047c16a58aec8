"""Journal text at rest: encrypted, and the key can be rotated without losing a word."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from course.journal import save_answer
from course.models import Answer, Prompt

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


@pytest.mark.django_db
def test_a_missing_key_is_a_clear_error_not_garbage(settings, alice, content):
    settings.JOURNAL_KEYS = [OLD]
    save_answer(author=alice, prompt=Prompt.objects.first(), text="secret", base_version=0)
    settings.JOURNAL_KEYS = [NEW]
    with pytest.raises(ImproperlyConfigured, match="still listed in TRELLIS_JOURNAL_KEYS"):
        Answer.objects.get(author=alice)
