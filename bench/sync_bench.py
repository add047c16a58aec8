"""How long do checking and publishing the course take with 1,000 lessons?

Run from the project folder:  .venv/bin/python bench/sync_bench.py [--lessons N]

It writes N realistic lessons (about 700 words and 3 questions each, across 3 stages)
into a temporary folder, migrates a fresh SQLite database beside them, and times:

- parse + validate: `load_course`, which the system check runs on every `manage.py` start;
- first sync: `manage.py sync_content` into the empty database;
- unchanged re-sync: the same command again, when nothing has changed;
- one lesson edited: the command after one file changed.

It prints a Markdown table and exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("honesty", "safety", "trust")
TARGETS = {"first sync": 5.0, "unchanged re-sync": 1.0}
VOCABULARY = (
    "we you your spouse marriage home trust truth honest kind quiet small steady time "
    "listen speak hear gentle promise keep day week evening morning talk share hurt heal "
    "care safe open hidden careful patient hope work together choose notice name feel "
    "anger calm repair forgive slowly again habit moment question answer ask tell story "
    "the a and but so because when while often sometimes rarely every each one two "
    "is are was were can could will would may might should must not never always still"
)
WORDS = VOCABULARY.split()


def sentence(rng: random.Random, *, emphasis: bool = True) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    if emphasis and rng.random() < 0.15:
        words[rng.randrange(len(words))] = f"*{rng.choice(WORDS)}*"
    return " ".join(words).capitalize() + rng.choice(".....?!")


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def lesson_text(
    rng: random.Random, number: int, stage: str, order: int, total: int, questions: int = 3
) -> str:
    """About 700 words: prose under a few headings, a list, a link, then Your Turn."""
    other = f"lesson-{rng.randrange(total):04d}"
    parts = [paragraph(rng, 4), paragraph(rng, 3)]
    for heading in range(4):
        parts.append(f"## Part {heading + 1}: {sentence(rng)[:-1].lower()}")
        parts.extend(paragraph(rng, rng.randint(3, 5)) for _ in range(2))
    parts.append("\n".join(f"- {sentence(rng)}" for _ in range(4)))
    parts.append(f"You may want to read [an earlier lesson](lesson:{other}) again.")
    your_turn = "\n".join(
        f"{q}. {sentence(rng)[:-1]}? {{#lesson-{number:04d}-q{q}}}" for q in range(1, questions + 1)
    )
    title = f"Lesson {number}, {sentence(rng, emphasis=False)[:40].lower()}"
    summary = sentence(rng, emphasis=False)
    return (
        f"---\nid: lesson-{number:04d}\ntitle: {title}\n"
        f"summary: {summary}\norder: {order}\nstage: {stage}\n---\n"
        + "\n\n".join(parts)
        + f"\n\n## Your Turn\n\nWrite your answers in your journal.\n\n{your_turn}\n"
    )


def write_course(root: Path, lessons: int, seed: int = 7) -> None:
    rng = random.Random(seed)  # noqa: S311  (test data, not secrets)
    for order, stage in enumerate(STAGES, start=1):
        folder = root / f"{order}-{stage}"
        folder.mkdir(parents=True)
        (folder / "_stage.md").write_text(
            f"---\nid: {stage}\ntitle: {stage.title()}\norder: {order}\n---\n{paragraph(rng, 3)}\n",
            encoding="utf-8",
        )
    for number in range(lessons):
        stage_index = number * len(STAGES) // lessons
        stage = STAGES[stage_index]
        order = number + 1
        path = root / f"{stage_index + 1}-{stage}" / f"{order:04d}-lesson.md"
        path.write_text(lesson_text(rng, number, stage, order, lessons), encoding="utf-8")


def timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def measure(workdir: Path, lessons: int) -> list[tuple[str, float, str]]:
    """Write the course, set Django up on a fresh database, and time each step."""
    content_dir = workdir / "content"
    write_course(content_dir, lessons)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["TRELLIS_CONTENT_DIR"] = str(content_dir)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from course.content import load_course

    call_command("migrate", verbosity=0)

    def sync() -> str:
        out = io.StringIO()
        call_command("sync_content", stdout=out)
        return out.getvalue().strip().splitlines()[-1]

    seconds, course = timed(lambda: load_course(content_dir))
    assert not course.errors, course.errors[:5]
    words = sum(lesson.word_count for lesson in course.lessons) / len(course.lessons)
    results = [
        ("parse + validate", seconds, f"{len(course.lessons)} lessons, {words:.0f} words each")
    ]
    results.append(("first sync", *timed(sync)))
    results.append(("unchanged re-sync", *timed(sync)))
    edited = next(content_dir.rglob("0001-lesson.md"))
    edited.write_text(edited.read_text(encoding="utf-8").replace("title:", "title: Edited"))
    results.append(("one lesson edited", *timed(sync)))
    connections.close_all()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trellis-bench-") as workdir:
        results = measure(Path(workdir), args.lessons)

    print("| step | seconds | target | result |")
    print("|---|---:|---:|---|")
    missed = []
    for label, seconds, outcome in results:
        target = TARGETS.get(label)
        if target is not None and seconds > target:
            missed.append(label)
        mark = "" if target is None else f"≤ {target:g}"
        print(f"| {label} | {seconds:.2f} | {mark} | {outcome} |")
    if missed:
        print(f"\nMISSED: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
