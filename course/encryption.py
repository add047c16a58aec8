"""Journal text is encrypted at rest with Fernet keys from the environment.

TRELLIS_JOURNAL_KEYS holds one or more comma-separated Fernet keys. The first encrypts;
all of them decrypt, which is how keys are rotated (see the README). In development,
when no key is set, a key is derived from DJANGO_SECRET_KEY so that `make run` just works.
"""

import base64
import hashlib
import logging
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

logger = logging.getLogger(__name__)


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "TRELLIS_JOURNAL_KEYS must be Fernet keys (32 url-safe base64 bytes); "
            "see the README for how to make one."
        ) from None


def journal_keys() -> tuple[str, ...]:
    keys = tuple(settings.JOURNAL_KEYS)
    if keys:
        return keys
    if not settings.DEBUG_AT_STARTUP:
        raise ImproperlyConfigured("TRELLIS_JOURNAL_KEYS must be set when DJANGO_DEBUG is off.")
    derived = hashlib.sha256(("trellis-journal:" + settings.SECRET_KEY).encode()).digest()
    return (base64.urlsafe_b64encode(derived).decode(),)


def encrypt(text: str) -> str:
    return _fernet(journal_keys()).encrypt(text.encode("utf-8")).decode("ascii")


class Undecryptable(ImproperlyConfigured):
    """No listed key opens this token (the key that wrote it was removed, or the row
    was damaged)."""


def decrypt(token: str) -> str:
    try:
        return _fernet(journal_keys()).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise Undecryptable(
            "A journal entry could not be decrypted: is the key that wrote it still listed "
            "in TRELLIS_JOURNAL_KEYS?"
        ) from None


UNREADABLE = (
    "This entry cannot be read at the moment. It is still stored safely and nothing has "
    "been changed; the people who run Trellis have been told, and it will be back when "
    "they have fixed it."
)


class UnreadableText(str):
    """Stands in for text that no listed key decrypts, so that one entry cannot break a
    whole page: it reads as a calm sentence, and saved back it writes the stored token
    exactly as it was, so nothing is lost while a key is missing."""

    token: str

    def __new__(cls, token: str) -> "UnreadableText":
        text = super().__new__(cls, UNREADABLE)
        text.token = token
        return text

    def replace(self, *args, **kwargs) -> "UnreadableText":
        """Cleaning (line endings, NUL bytes) cannot apply to words nobody can read: they
        stay the stored token, so restoring an unreadable version copies it exactly
        instead of saving this notice as the answer."""
        return self


def is_unreadable(text: str) -> bool:
    return isinstance(text, UnreadableText)


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; Python code only ever sees the plain text.

    The empty string is stored as itself, so that queries can tell an emptied answer
    from a written one (`.exclude(text="")`); it reveals nothing but its emptiness.
    A token no key opens reads as `UnreadableText`, logged without any of its text.
    """

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        try:
            return decrypt(value)
        except Undecryptable:
            logger.error(
                "%s: one entry could not be decrypted with any key in TRELLIS_JOURNAL_KEYS "
                "(was the key that wrote it removed?); it is shown as unreadable.",
                f"{self.model._meta.label}.{self.name}",
            )
            return UnreadableText(value)

    def get_prep_value(self, value):
        if isinstance(value, UnreadableText):
            return value.token
        value = super().get_prep_value(value)
        return value if not value else encrypt(value)
