"""What a person reads in Trellis's account emails, and in the development terminal."""

import io

from django.core.mail import EmailMessage

from accounts.mail import ReadableConsoleBackend

LINK = "http://127.0.0.1:8000/accounts/confirm-email/MQ:1xYhMr:wA9CYj3byJfSmDQEGdckQPE9aRJcaZG5WLwXKvtHFoc/"


def test_the_development_terminal_shows_a_long_link_whole():
    terminal = io.StringIO()
    message = EmailMessage("Please confirm", f"Open this link:\n\n{LINK}\n", to=["a@example.com"])

    ReadableConsoleBackend(stream=terminal).send_messages([message])

    printed = terminal.getvalue()
    assert LINK in printed.splitlines()
    assert "Subject: Please confirm" in printed and "To: a@example.com" in printed


def test_the_confirmation_email_is_in_trellis_voice_with_no_names(client, db, mailoutbox):
    response = client.post(
        "/accounts/signup/",
        {
            "display_name": "Secret Name",
            "email": "new@example.com",
            "password1": "a long shared test passphrase",
            "password2": "a long shared test passphrase",
        },
    )

    assert response.status_code == 302
    (message,) = mailoutbox
    assert message.subject == "Trellis: Please confirm your email address"
    assert "Secret Name" not in message.body and "Hello from" not in message.body
    assert "/accounts/confirm-email/" in message.body
