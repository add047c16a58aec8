"""A production-like Trellis on 127.0.0.1 for the benchmark, the load test and the audit.

`BenchSite` builds one in a scratch folder: DEBUG off, a real secret and journal key,
static files collected and served by WhiteNoise, the course synced from `content/`
(plus 20 generated practice lessons of 8 questions, so a spouse can hold 200 answers),
and gunicorn with one sync worker per core. The database is a fresh SQLite file, or a PostgreSQL
database whose name ends in _bench (created if missing, emptied first).

The driver process sets up Django with the same environment, so it builds people and
answers through the same models and `save_answer` the views use, and can read the
database afterwards to check what the load wrote.

Nothing here talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PASSWORD = "bench-password-not-secret"  # noqa: S105 (throwaway accounts on a scratch database)
HOST = "127.0.0.1"

sys.path.insert(0, str(ROOT))


def cores() -> int:
    return os.cpu_count() or 1


@dataclass
class Cookies:
    """The two cookies a signed-in browser holds, whatever the production names are."""

    jar: dict[str, str] = field(default_factory=dict)

    def take(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.jar[name] = morsel.value
                else:
                    self.jar.pop(name, None)

    @property
    def header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.jar.items())

    @property
    def csrf_token(self) -> str:
        return next(value for name, value in self.jar.items() if name.endswith("csrftoken"))


class BenchSite:
    def __init__(
        self,
        workdir: Path,
        *,
        database_url: str = "",
        settings_module: str = "config.settings",
        practice_lessons: int = 20,
        port: int = 8111,
        workers: int | None = None,
    ) -> None:
        self.workdir = workdir
        self.port = port
        self.workers = workers or cores()
        self.database_url = database_url
        self.practice_lessons = practice_lessons
        self.process: subprocess.Popen | None = None
        content = workdir / "content"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "TRELLIS_JOURNAL_KEYS": _fernet_key(),
            "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost",
            # Plain HTTP on loopback; production sits behind TLS.
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
            "TRELLIS_CONTENT_DIR": str(content),
            # Its own copy: one left in the project's staticfiles/ slows the test suite.
            "DJANGO_STATIC_ROOT": str(workdir / "static"),
            "DJANGO_LOG_LEVEL": "WARNING",
        }

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def database_label(self) -> str:
        return "PostgreSQL" if self.database_url.startswith("postgres") else "SQLite"

    # --- building --------------------------------------------------------------------
    def prepare(self) -> None:
        """Content, static files and an empty, migrated database; then Django in-process."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.database_url:
            _create_bench_database(self.database_url)
        self._write_content()
        self.manage("collectstatic", "--no-input", "--verbosity", "0")
        self.manage("migrate", "--no-input", "--verbosity", "0")
        self.manage("flush", "--no-input", "--verbosity", "0")
        self.manage("sync_content", "--verbosity", "0")
        os.environ.update(self.env)
        import django

        django.setup()

    def manage(self, *args: str) -> None:
        # --skip-checks: the generated practice stage is sized for load (8 questions a
        # lesson), not for reading, so the content check's limits would refuse it;
        # sync_content still refuses malformed content on its own.
        done = subprocess.run(  # noqa: S603 (our own manage.py with fixed arguments)
            [str(VENV_BIN / "python"), "manage.py", *args, "--skip-checks"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")

    def _write_content(self) -> None:
        """The real course (13 lessons), then a fourth stage of 20 generated lessons with
        8 questions each: a plausible course size with room for 200 answers."""
        from bench.sync_bench import lesson_text

        content = Path(self.env["TRELLIS_CONTENT_DIR"])
        shutil.rmtree(content, ignore_errors=True)
        shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns("README.md"))
        practice = content / "practice"
        practice.mkdir()
        (practice / "_stage.md").write_text(
            "---\nid: practice\ntitle: Practice\norder: 4\n---\nGenerated for the benchmark.\n"
        )
        import random

        rng = random.Random(9)  # noqa: S311 (generated text, not secrets)
        for number in range(self.practice_lessons):  # lesson_text links among 0..N-1
            (practice / f"{number + 1:03d}.md").write_text(
                lesson_text(rng, number, "practice", number + 1, self.practice_lessons, 8)
            )

    def make_person(self, email: str, name: str):
        """A verified account with the bench password (hashed once, not per person)."""
        from allauth.account.models import EmailAddress
        from django.contrib.auth.hashers import make_password

        from accounts.models import User

        if not hasattr(self, "_password_hash"):
            self._password_hash = make_password(PASSWORD)
        user = User.objects.create(email=email, display_name=name, password=self._password_hash)
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        return user

    # --- serving ---------------------------------------------------------------------
    def start(self) -> None:
        from django.db import connections

        connections.close_all()  # the server's workers open their own
        log = open(self.workdir / "gunicorn.log", "ab")  # noqa: SIM115 (lives with the server)
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(VENV_BIN / "gunicorn"),
                "config.wsgi",
                "--workers",
                str(self.workers),
                "--bind",
                f"{HOST}:{self.port}",
                "--no-control-socket",
                "--graceful-timeout",
                "10",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/healthz").status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not start; see {self.workdir / 'gunicorn.log'}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # graceful: in-flight requests finish
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    @contextmanager
    def serving(self) -> Iterator[BenchSite]:
        self.start()
        try:
            yield self
        finally:
            self.stop()

    # --- talking to it -----------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        cookies: Cookies | None = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        all_headers = dict(headers or {})
        body = None
        if cookies and cookies.jar:
            all_headers["Cookie"] = cookies.header
        if form is not None:
            body = urllib.parse.urlencode(form)
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        response.text = response.read().decode("utf-8", "replace")
        if cookies is not None:
            cookies.take(response)
        connection.close()
        return response

    def sign_in(self, email: str) -> Cookies:
        """Sign in through the real form, as a browser would; returns its cookies."""
        cookies = Cookies()
        page = self.request("GET", "/accounts/login/", cookies=cookies)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if not token:
            raise RuntimeError("the sign-in page has no CSRF token")
        response = self.request(
            "POST",
            "/accounts/login/",
            cookies=cookies,
            form={"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token[1]},
        )
        if response.status != 302 or not any(n.endswith("sessionid") for n in cookies.jar):
            raise RuntimeError(f"signing in as {email} failed with {response.status}")
        return cookies


def _create_bench_database(url: str) -> None:
    """PostgreSQL: make the named database if it is missing. The benchmark empties its
    database, so it only accepts one whose name ends in _bench."""
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.endswith("_bench"):
        raise SystemExit(
            f"Refusing to use database {name!r}: the benchmark empties the database it is "
            "given, so its name must end in _bench (for example trellis_bench)."
        )
    import psycopg

    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            db.execute(f'CREATE DATABASE "{name}"')


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def build_couple(site: BenchSite, *, answers: int = 200, tag: str = "bench"):
    """A linked couple in the middle of the course: honesty and safety done, `answers`
    answers each (a third shared), so every page has real work to do."""
    from django.db import transaction

    from accounts.services import accept_invitation, create_invitation
    from course.journal import save_answer
    from course.models import Completion, Lesson, Prompt, Sharing

    with transaction.atomic():
        me = site.make_person(f"{tag}-a@example.test", "Alex")
        partner = site.make_person(f"{tag}-b@example.test", "Blake")
        accept_invitation(invitation=create_invitation(inviter=me).invitation, user=partner)
        done = Lesson.objects.current().filter(stage__slug__in=["honesty", "safety"])
        in_course_order = ("lesson__stage__order", "lesson__order", "order")
        prompts = list(Prompt.objects.current().order_by(*in_course_order)[:answers])
        if len(prompts) < answers:
            raise RuntimeError(f"only {len(prompts)} prompts for {answers} answers")
        for person in (me, partner):
            Completion.objects.bulk_create([Completion(user=person, lesson=x) for x in done])
            for number, prompt in enumerate(prompts):
                text = f"{person.display_name}'s answer {number}: " + "a steady sentence. " * 30
                sharing = Sharing.SHARED if number % 3 == 0 else Sharing.PRIVATE
                save_answer(
                    author=person, prompt=prompt, text=text, base_version=0, sharing=sharing
                )
    return me, partner
