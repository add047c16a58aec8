"""Email leaves after the commit, from a worker, so a slow or failing mail server never
slows or fails a save.

Every message (Trellis's invitations and notices, allauth's confirmations and resets) goes
through the default mailer, `QueuedBackend`. Once the transaction commits, it queues the
message as a task (Django's tasks framework, stored in the database by django-tasks-db);
`manage.py db_worker` sends it through the "outgoing" mailer. A rolled-back save sends
nothing.

A queued message carries links that sign people in or reset passwords, so it is stored
encrypted with a key derived from DJANGO_SECRET_KEY, and the database alone cannot read it.
"""

import base64
import hashlib
import json

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.db import transaction
from django.tasks import task

OUTGOING = "outgoing"


def _fernet() -> Fernet:
    derived = hashlib.sha256(("trellis-mail:" + settings.SECRET_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(message: EmailMultiAlternatives) -> str:
    fields = {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": message.to,
        "cc": message.cc,
        "bcc": message.bcc,
        "reply_to": message.reply_to,
        "headers": message.extra_headers,
        "alternatives": [list(part) for part in getattr(message, "alternatives", [])],
    }
    return _fernet().encrypt(json.dumps(fields).encode()).decode("ascii")


def unseal(sealed: str) -> EmailMultiAlternatives:
    fields = json.loads(_fernet().decrypt(sealed.encode("ascii")))
    alternatives = fields.pop("alternatives")
    message = EmailMultiAlternatives(**fields)
    for content, mimetype in alternatives:
        message.attach_alternative(content, mimetype)
    return message


@task
def deliver(sealed: str) -> None:
    mailers[OUTGOING].send_messages([unseal(sealed)])


class QueuedBackend(BaseEmailBackend):
    """The default mailer: queues each message for the worker once the data it speaks
    of is committed."""

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            sealed = seal(message)
            transaction.on_commit(lambda sealed=sealed: deliver.enqueue(sealed))
        return len(email_messages)


class ReadableConsoleBackend(ConsoleBackend):
    """Development only: each email in the terminal as a person reads it.

    Django's console backend prints the MIME source, where quoted-printable encoding
    breaks every line longer than 76 characters with an "=": an email confirmation link
    (about 95 characters) then cannot be copied from the `make run` terminal, and sign-up
    needs that link. This prints the headers a person looks at and the plain text whole.
    """

    def write_message(self, message) -> None:
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            f"Subject: {message.subject}",
            "",
            message.body,
            "-" * 79,
            "",
        ]
        self.stream.write("\n".join(lines))
