"""Start-up configuration, tested the way an operator meets it: by running manage.py."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(**extra: str) -> dict[str, str]:
    return {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "example.org",
        "TRELLIS_JOURNAL_KEYS": "Xl0aHIc0hxMOy4NdfXLnYFxXi6jqO0l8JSkh2E2q7Kc=",
        **extra,
    }


def test_production_settings_pass_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_a_placeholder_secret_key():
    result = run_manage("check", **production_env(DJANGO_SECRET_KEY="change-me"))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_a_debug_value_that_is_not_yes_or_no_is_named():
    result = run_manage("check", DJANGO_DEBUG="perhaps")
    assert result.returncode != 0
    assert "DJANGO_DEBUG='perhaps' is not a yes/no value" in result.stderr


def test_an_unparseable_database_url_is_named():
    result = run_manage("check", DATABASE_URL="nonsense://what")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_production_cookies_and_transport_are_locked_down():
    shown = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_SSL_REDIRECT)"
    )
    result = run_manage("shell", "--no-imports", "-c", shown, **production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "True",
        "True",
    ]


def test_production_refuses_to_start_without_journal_keys():
    result = run_manage("check", **production_env(TRELLIS_JOURNAL_KEYS=""))
    assert result.returncode != 0
    assert "TRELLIS_JOURNAL_KEYS must be set" in result.stderr


def test_the_trusted_proxy_count_is_read_from_the_environment():
    show = "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    behind_proxy = run_manage("shell", "-c", show, ALLAUTH_TRUSTED_PROXY_COUNT="1")
    direct = run_manage("shell", "-c", show)
    printed = [result.stdout.split()[-1] for result in (behind_proxy, direct)]
    assert printed == ["1", "0"], behind_proxy.stderr + direct.stderr


def test_every_configuration_hides_who_has_an_account():
    show = (
        "from django.conf import settings; "
        "print(settings.ACCOUNT_EMAIL_VERIFICATION, settings.ACCOUNT_PREVENT_ENUMERATION)"
    )
    development = run_manage("shell", "-c", show, ACCOUNT_EMAIL_VERIFICATION="optional")
    production = run_manage("shell", "-c", show, **production_env())
    for result in (development, production):
        assert result.stdout.split()[-2:] == ["mandatory", "True"], result.stderr


def test_production_queues_email_for_the_worker():
    show = (
        "from django.conf import settings; "
        "print(settings.MAILERS['default']['BACKEND'], settings.TASKS['default']['BACKEND'])"
    )
    result = run_manage("shell", "-c", show, **production_env())
    printed = result.stdout.split()[-2:]
    assert printed == ["accounts.mail.QueuedBackend", "django_tasks_db.DatabaseBackend"], (
        result.stderr
    )
