"""Read the course from Markdown files: pure Python, no database, no Django.

The format (the authoring guide is content/README.md):

    content/<stage-folder>/_stage.md     front matter: id, title, order; body: description
    content/<stage-folder>/<lesson>.md   front matter: id, title, summary, order
                                         [, stage, public, private]
                                         body: Markdown ending in a "## Your Turn" section
                                         whose ordered list holds the questions, each
                                         ending in a stable prompt id: "1. Question? {#id}",
                                         or "{#id for=hurt}" for one role's question

Above "## Your Turn", a lesson may hold blocks, each opened and closed by a line
starting with `:::`; blocks do not nest and hold no # or ## headings:

    ::: for hurt                 a part for the spouse who was hurt (or `for broke`)
    ::: exercise Short title     something a couple does together
    ::: exercise Short title {agreement=openness}
                                 ...which produces something the app keeps for the two
                                 of them (one of AGREEMENTS; course/agreements.py)
    :::                          closes the block

So a lesson is a list of parts in reading order: shared text, role parts, exercises.

Links between lessons are written `[text](lesson:<lesson-id>)`.

`load_course(root)` returns a `Course`: the stages with their lessons and prompts, and
every problem found as a `ContentError` naming the file and line. It never raises for bad
content, so the system check can list all problems at once.

`check_limits(course)` adds what the course's size and shape ask for (lessons per stage,
words, questions per role): the system check runs both.

Checking does not need HTML, so Markdown is rendered only when `Lesson.parts_html` or
`Prompt.text_html` is first read: the system check never renders, and `sync_content`
renders only lessons whose `source_hash` it has not stored before.
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import os
import re
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

import markdown
import nh3
import yaml

STAGE_FILE = "_stage.md"
LESSON_URL = "/course/{id}/"
WORDS_PER_MINUTE = 200
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
YOUR_TURN = re.compile(r"^##\s+your turn\s*#*\s*$", re.IGNORECASE)
HEADING = re.compile(r"^#{1,2}\s")
QUESTION = re.compile(r"^\s*\d+[.)]\s+(?P<text>.*?)\s*$")
PROMPT_ID = re.compile(r"\{#(?P<id>[^}]*)\}\s*$")
PROMPT_ROLE = re.compile(r"^(?P<id>\S+)\s+for=(?P<role>\S*)$")
# A block's fence: `:::` at the very start of a line.
FENCE = re.compile(r"^:::(?P<rest>.*)$")
LESSON_LINK = re.compile(r"\]\(lesson:(?P<id>[^)\s]*)\)")

# The database stores order in a PositiveIntegerField: keep to what every backend accepts.
MAX_ORDER = 2_147_483_647
# The longest values the database columns take (course/models.py; a test keeps them equal).
MAX_TITLE = 200
MAX_STAGE_ID = 50
MAX_ID = 100

STAGE_KEYS = {"id", "title", "order"}
LESSON_REQUIRED = {"id", "title", "summary", "order"}
LESSON_KEYS = LESSON_REQUIRED | {"stage", "public", "private"}

# The roles a part or a question may be written for. (A reader may also say "we have
# both hurt each other" or "no breach"; course/roles.py decides what each of them sees.)
ROLES = ("hurt", "broke")
SHARED, ROLE, EXERCISE = "shared", "role", "exercise"
# What an exercise may produce and keep: `::: exercise Title {agreement=<kind>}`. Each
# kind is produced by one exercise only, so its page can lead back to it.
AGREEMENTS = ("openness", "triggers", "time-out")
AGREEMENT_MARK = re.compile(r"\s*\{(?P<mark>[^{}]*)\}\s*$")


@dataclass(frozen=True)
class Limits:
    """What the content check asks of the course's size and shape."""

    min_lessons_per_stage: int
    shared_words: tuple[int, int]  # the body outside role parts, Your Turn and exercises in
    max_role_words: int  # one role's reading: the shared text plus that role's parts
    questions_per_role: tuple[int, int]  # the ones for everyone plus the role's own


# The deeper course of issue 16: at least 8 lessons a stage, each readable by one role in
# under 10 minutes at WORDS_PER_MINUTE.
DEEPER_COURSE = Limits(
    min_lessons_per_stage=8,
    shared_words=(600, 1300),
    max_role_words=2000,
    questions_per_role=(2, 4),
)
# The course before the deeper lessons of issue 16 (4 lessons a stage): the deeper limits
# refuse it, which tests/test_content.py shows.
TODAYS_COURSE = Limits(
    min_lessons_per_stage=4,
    shared_words=(500, 1200),
    max_role_words=2000,
    questions_per_role=(2, 4),
)
LIMITS = DEEPER_COURSE

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}}
MARKDOWN_OPTIONS = {
    "extensions": ["toc", "sane_lists", "smarty"],
    "extension_configs": {"toc": {"permalink": False, "toc_depth": "2-4"}},
    "output_format": "html",
}
# Bump when render_markdown's (or render_parts') output changes for the same input.
RENDER_VERSION = 3
# Part of every lesson's source_hash, so that a change in how Markdown becomes HTML
# (this code, a library upgrade, the allow-list) makes sync render every lesson again
# instead of keeping HTML made the old way.
RENDERER = repr(
    (
        RENDER_VERSION,
        version("markdown"),
        version("nh3"),
        MARKDOWN_OPTIONS,
        sorted(ALLOWED_TAGS),
        sorted((tag, sorted(names)) for tag, names in ALLOWED_ATTRIBUTES.items()),
        LESSON_URL,
    )
).encode()
# Below this many lessons, starting worker processes costs more than it saves.
PARALLEL_FROM = 100
# libyaml when installed: the same YAML parsed several times faster (its error wording
# differs a little from the pure-Python parser's).
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class ContentError:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Prompt:
    id: str
    text: str
    order: int
    line: int
    role: str = ""  # "" for everyone, else one of ROLES

    @cached_property
    def text_html(self) -> str:
        return render_inline(self.text)


@dataclass(frozen=True)
class Part:
    """A stretch of a lesson's body: shared text, one role's part, or an exercise."""

    kind: str  # SHARED, ROLE or EXERCISE
    markdown: str
    line: int  # the file line the part starts on (its opening ::: for a block)
    role: str = ""  # for a ROLE part
    title: str = ""  # for an EXERCISE
    agreement: str = ""  # for an EXERCISE that produces one: one of AGREEMENTS


@dataclass
class Lesson:
    id: str
    title: str
    summary: str
    order: int
    stage_id: str
    path: str
    source_hash: str  # of the file and of the renderer: equal hashes give equal HTML
    parts: list[Part]  # everything above "## Your Turn", in reading order
    shared_words: int  # the whole body but the role parts (Your Turn and exercises count)
    role_words: dict[str, int]  # the words of each role's parts
    prompts: list[Prompt]
    your_turn_intro: str = ""
    public: bool = False
    private: bool = False
    id_line: int = 2
    links: list[tuple[int, str]] = field(default_factory=list)  # (line, lesson id)

    @property
    def word_count(self) -> int:
        """The longest reading of one role: the shared text and that role's parts."""
        return self.shared_words + max(self.role_words.values(), default=0)

    @property
    def reading_minutes(self) -> int:
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))

    @cached_property
    def parts_html(self) -> list[dict[str, str]]:
        return render_parts(self.parts)


@dataclass
class Stage:
    id: str
    title: str
    order: int
    description: str
    path: str
    lessons: list[Lesson] = field(default_factory=list)


@dataclass
class Course:
    stages: list[Stage]
    errors: list[ContentError]

    @property
    def lessons(self) -> list[Lesson]:
        return [lesson for stage in self.stages for lesson in stage.lessons]


@dataclass
class _Source:
    """One file split into front matter and body, with line numbers kept."""

    path: str
    meta: dict
    meta_lines: dict[str, int]
    body: str
    body_line: int  # file line number of the body's first line
    raw: bytes
    lines: list[str]

    def line_of(self, key: str) -> int:
        """The line a key is written on; 1 (the opening ---) when it has no line of its own."""
        return self.meta_lines.get(key, 1)


def new_converter() -> markdown.Markdown:
    """A Markdown converter for one caller to reuse: building one costs about a third of
    converting a lesson's part (0.3 ms against 1 ms, measured on content/), so whoever
    renders many texts passes the same one to each call. Not shared between threads."""
    return markdown.Markdown(**MARKDOWN_OPTIONS)


def render_markdown(text: str, converter: markdown.Markdown | None = None) -> str:
    """Markdown to sanitised HTML, with anchors on headings and lesson links resolved."""
    text = LESSON_LINK.sub(lambda m: "](" + LESSON_URL.format(id=m["id"]) + ")", text)
    if converter is None:
        converter = new_converter()
    html = converter.reset().convert(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel", "sms"},
        link_rel="noopener noreferrer",
    )


def render_inline(text: str, converter: markdown.Markdown | None = None) -> str:
    """A single line of Markdown (a question) without the surrounding paragraph."""
    html = render_markdown(text, converter).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


HEADING_ID = re.compile(r'(<h[2-4] id=")([^"]+)(")')


def render_parts(
    parts: Sequence[Part], converter: markdown.Markdown | None = None
) -> list[dict[str, str]]:
    """The parts as the database keeps them: each part's HTML with its kind, role, title.

    Each part is rendered on its own, so the heading anchors Markdown gives are made
    unique across the lesson here (two parts may both hold "### What helps")."""
    if converter is None:
        converter = new_converter()
    used: set[str] = set()

    def unique(match: re.Match) -> str:
        anchor, number = match[2], 1
        while anchor in used:
            number += 1
            anchor = f"{match[2]}-{number}"
        used.add(anchor)
        return match[1] + anchor + match[3]

    return [
        {
            "kind": part.kind,
            "role": part.role,
            "title": part.title,
            "agreement": part.agreement,
            "html": HEADING_ID.sub(unique, render_markdown(part.markdown, converter)),
        }
        for part in parts
    ]


def render_lessons(lessons: Sequence[Lesson]) -> None:
    """Render many lessons' HTML ahead of time, spread over the machine's cores.

    Afterwards `lesson.parts_html` and each `prompt.text_html` are ready, exactly as if
    each had been read (and so rendered) one by one. Lessons already rendered are skipped.

    Worker processes pay for themselves from PARALLEL_FROM lessons on. Measured with
    bench/sync_bench.py (1,000 generated lessons, two runs each, CPU time because the
    2-core machine was shared): a first sync rendering in this process took 5.5-7.1 s of
    CPU, over its goal of 5 s; with the pool it took 0.8-1.0 s here and 5.0-6.9 s split
    between two workers (their start included), about 3.3-4.5 s on two idle cores. Below
    100 lessons starting the workers costs more than they save.
    """
    lessons = [lesson for lesson in lessons if "parts_html" not in lesson.__dict__]
    jobs = [(lesson.parts, [prompt.text for prompt in lesson.prompts]) for lesson in lessons]
    workers = min(os.process_cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_FROM or workers < 2:
        rendered = _render_batch(jobs)
    else:
        rendered = _render_in_processes(jobs, workers)
    for lesson, (parts_html, prompt_html) in zip(lessons, rendered, strict=True):
        # Fill the cached properties, as reading them would have.
        lesson.__dict__["parts_html"] = parts_html
        for prompt, html in zip(lesson.prompts, prompt_html, strict=True):
            prompt.__dict__["text_html"] = html


Job = tuple[list[Part], list[str]]  # a lesson's parts and its questions' text
Rendered = tuple[list[dict[str, str]], list[str]]  # their HTML


def _render_batch(jobs: Sequence[Job]) -> list[Rendered]:
    """Render lessons one after another with one converter (see `new_converter`)."""
    converter = new_converter()
    return [
        (render_parts(parts, converter), [render_inline(text, converter) for text in questions])
        for parts, questions in jobs
    ]


def _render_in_processes(jobs: list[Job], workers: int) -> list[Rendered]:
    # Four batches a worker, so a slow one does not leave the others idle at the end.
    size = len(jobs) // (workers * 4) + 1
    batches = [jobs[start : start + size] for start in range(0, len(jobs), size)]
    # spawn, not fork: the caller may hold database connections and threads.
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            return [each for batch in pool.map(_render_batch, batches) for each in batch]
    except BrokenProcessPool:
        # The workers could not start (say, the main script cannot be imported again).
        # Rendering is pure, so doing it here gives the same HTML, only later.
        return _render_batch(jobs)


def load_course(root: Path) -> Course:
    errors: list[ContentError] = []
    stages: list[Stage] = []
    if not root.is_dir():
        return Course([], [ContentError(_display(root, root), 0, "content folder not found")])

    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        stage = _load_stage(root, folder, errors)
        lesson_files = sorted(
            p
            for p in folder.glob("*.md")
            if p.is_file() and p.name != STAGE_FILE and p.name.lower() != "readme.md"
        )
        if stage is None:
            for path in lesson_files:
                errors.append(
                    ContentError(
                        _display(root, path),
                        1,
                        f"unknown stage: {folder.name}/ has no valid {STAGE_FILE}",
                    )
                )
            continue
        for path in lesson_files:
            lesson = _load_lesson(root, path, stage, errors)
            if lesson is not None:
                stage.lessons.append(lesson)
        stage.lessons.sort(key=lambda lesson: (lesson.order, lesson.id))
        stages.append(stage)

    stages.sort(key=lambda stage: (stage.order, stage.id))
    _check_unique(stages, errors)
    _check_links(stages, errors)
    if not stages and not errors:
        errors.append(ContentError(_display(root, root), 0, "no stages found"))
    return Course(stages, errors)


def _display(root: Path, path: Path) -> str:
    return str(Path(root.name) / path.relative_to(root)) if path != root else root.name


def _read(root: Path, path: Path, errors: list[ContentError]) -> _Source | None:
    shown = _display(root, path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        errors.append(ContentError(shown, line, "file is not valid UTF-8 text"))
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        errors.append(ContentError(shown, 1, "front matter missing: the file must start with ---"))
        return None
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        errors.append(ContentError(shown, 1, "front matter is not closed by a --- line"))
        return None
    front = "\n".join(lines[1:end])
    loader = YAML_LOADER(front)
    try:
        node = loader.get_single_node()
        written_twice = _keys_written_twice(node)
        # Constructing replaces merge keys (<<) by the keys they bring, with their lines.
        meta = (loader.construct_document(node) if node is not None else None) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 2 if mark else 2
        problem = getattr(error, "problem", None) or "could not be read"
        errors.append(ContentError(shown, line, f"front matter is not valid YAML: {problem}"))
        return None
    finally:
        loader.dispose()
    if not isinstance(meta, dict):
        errors.append(ContentError(shown, 2, "front matter must be a list of key: value lines"))
        return None
    for key, line in written_twice:
        errors.append(ContentError(shown, line, f"front matter key {key!r} is written twice"))
    if written_twice:
        return None
    meta_lines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            meta_lines[str(key_node.value)] = key_node.start_mark.line + 2
    return _Source(
        path=shown,
        meta=meta,
        meta_lines=meta_lines,
        body="\n".join(lines[end + 1 :]),
        body_line=end + 2,
        raw=raw,
        lines=lines,
    )


def _keys_written_twice(node: yaml.Node | None) -> list[tuple[str, int]]:
    """YAML keeps the last of two equal keys; an author who wrote both meant one of them."""
    if not isinstance(node, yaml.MappingNode):
        return []
    seen: set[str] = set()
    twice = []
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            continue
        if key_node.value in seen:
            twice.append((key_node.value, key_node.start_mark.line + 2))
        seen.add(key_node.value)
    return twice


def _check_meta(
    source: _Source,
    required: set[str],
    allowed: set[str],
    errors: list[ContentError],
    max_id: int = MAX_ID,
) -> bool:
    ok = True
    for key in sorted(required - source.meta.keys()):
        errors.append(ContentError(source.path, 1, f"front matter has no {key}"))
        ok = False
    for key in sorted(source.meta.keys() - allowed, key=str):
        errors.append(
            ContentError(
                source.path,
                source.line_of(str(key)),
                f"unknown front matter key {key!r}; expected one of {', '.join(sorted(allowed))}",
            )
        )
        ok = False
    for key in ("id", "title", "summary"):
        if key in source.meta and not (
            isinstance(source.meta[key], str) and source.meta[key].strip()
        ):
            errors.append(
                ContentError(source.path, source.line_of(key), f"{key} must be non-empty text")
            )
            ok = False
    if (
        "id" in source.meta
        and isinstance(source.meta["id"], str)
        and not SLUG.match(source.meta["id"])
    ):
        errors.append(
            ContentError(
                source.path,
                source.line_of("id"),
                f"id {source.meta['id']!r} must use only a-z, 0-9 and single hyphens",
            )
        )
        ok = False
    for key, limit in (("id", max_id), ("title", MAX_TITLE)):
        value = source.meta.get(key)
        if isinstance(value, str) and len(value.strip()) > limit:
            errors.append(
                ContentError(
                    source.path,
                    source.line_of(key),
                    f"{key} is {len(value.strip())} characters long; the limit is {limit}",
                )
            )
            ok = False
    for key in ("public", "private"):
        if key in source.meta and not isinstance(source.meta[key], bool):
            errors.append(
                ContentError(source.path, source.line_of(key), f"{key} must be true or false")
            )
            ok = False
    order = source.meta.get("order")
    if "order" in source.meta and (
        not isinstance(order, int) or isinstance(order, bool) or not 0 <= order <= MAX_ORDER
    ):
        errors.append(
            ContentError(
                source.path,
                source.line_of("order"),
                f"order must be a whole number from 0 to {MAX_ORDER}",
            )
        )
        ok = False
    return ok


def _load_stage(root: Path, folder: Path, errors: list[ContentError]) -> Stage | None:
    path = folder / STAGE_FILE
    if not path.is_file():
        return None
    source = _read(root, path, errors)
    if source is None or not _check_meta(source, STAGE_KEYS, STAGE_KEYS, errors, MAX_STAGE_ID):
        return None
    return Stage(
        id=source.meta["id"],
        title=source.meta["title"].strip(),
        order=source.meta["order"],
        description=source.body.strip(),
        path=source.path,
    )


def _load_lesson(root: Path, path: Path, stage: Stage, errors: list[ContentError]) -> Lesson | None:
    source = _read(root, path, errors)
    if source is None or not _check_meta(source, LESSON_REQUIRED, LESSON_KEYS, errors):
        return None
    meta = source.meta
    if "stage" in meta and meta["stage"] != stage.id:
        errors.append(
            ContentError(
                source.path,
                source.line_of("stage"),
                f"unknown stage {meta['stage']!r}: this folder is the {stage.id!r} stage",
            )
        )
        return None

    body_lines = source.body.split("\n")
    turn_at = next((i for i, line in enumerate(body_lines) if YOUR_TURN.match(line)), None)
    if turn_at is None:
        errors.append(
            ContentError(
                source.path, source.body_line, 'lesson has no "## Your Turn" section with questions'
            )
        )
        return None
    parts, words = _parse_body(source, body_lines[:turn_at], errors)
    prompts, intro = _parse_your_turn(source, body_lines, turn_at, errors)
    if prompts is None or parts is None:
        return None
    words[SHARED] += _words("\n".join(body_lines[turn_at:]))

    return Lesson(
        id=meta["id"],
        title=meta["title"].strip(),
        summary=meta["summary"].strip(),
        order=meta["order"],
        stage_id=stage.id,
        path=source.path,
        source_hash=hashlib.sha256(RENDERER + source.raw).hexdigest(),
        parts=parts,
        shared_words=words.pop(SHARED),
        role_words=words,
        prompts=prompts,
        your_turn_intro=intro,
        public=meta.get("public", False),
        private=meta.get("private", False),
        id_line=source.line_of("id"),
        links=[
            (number, link["id"])
            for number, line in enumerate(source.lines, start=1)
            for link in LESSON_LINK.finditer(line)
        ],
    )


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _parse_body(
    source: _Source, body_lines: list[str], errors: list[ContentError]
) -> tuple[list[Part] | None, dict[str, int]]:
    """Split the body above "## Your Turn" into parts, and count each role's words.

    Returns no parts when a block is malformed (each problem is in `errors`)."""
    parts: list[Part] = []
    words = {SHARED: 0} | dict.fromkeys(ROLES, 0)
    ok = True
    opened: Part | None = None  # the block being read: its kind, role, title and line
    lines: list[str] = []
    start = source.body_line

    def problem(line: int, message: str) -> None:
        nonlocal ok
        errors.append(ContentError(source.path, line, message))
        ok = False

    def close(kind: str, line: int, role: str = "", title: str = "", agreement: str = "") -> None:
        if any(text.strip() for text in lines):
            if kind == SHARED:  # shared text starts on its first written line
                line += next(i for i, text in enumerate(lines) if text.strip())
            markdown = "\n".join(lines).strip("\n")
            parts.append(
                Part(
                    kind=kind,
                    markdown=markdown,
                    line=line,
                    role=role,
                    title=title,
                    agreement=agreement,
                )
            )
        lines.clear()

    for offset, line in enumerate(body_lines):
        file_line = source.body_line + offset
        fence = FENCE.match(line)
        if fence is None:
            if opened is not None and HEADING.match(line):
                problem(
                    file_line,
                    "no # or ## heading inside a ::: block: use ### (or close the block first)",
                )
            words[opened.role if opened and opened.kind == ROLE else SHARED] += _words(line)
            lines.append(line)
            continue
        words_after = fence["rest"].split()
        if not words_after:
            if opened is None:
                problem(file_line, "::: closes nothing: no block was opened above it")
                continue
            close(opened.kind, opened.line, opened.role, opened.title, opened.agreement)
            opened, start = None, file_line + 1
            continue
        if opened is not None:
            # Most likely the block above was not closed: read on as if it had been.
            problem(
                file_line,
                f"blocks may not nest: close the block opened on line {opened.line} with ::: first",
            )
            close(opened.kind, opened.line, opened.role, opened.title, opened.agreement)
            opened = None
        kind, rest = words_after[0], " ".join(words_after[1:])
        # A block that cannot be read still pairs with its closing :::, so that one
        # mistake gives one problem.
        block = Part(kind=SHARED, markdown="", line=file_line)
        if kind == "for":
            if rest in ROLES:
                block = Part(kind=ROLE, markdown="", line=file_line, role=rest)
            elif not rest:
                problem(file_line, "a role block needs a role: ::: for hurt or ::: for broke")
            else:
                problem(file_line, f"unknown role {rest!r}: write ::: for hurt or ::: for broke")
        elif kind == "exercise":
            agreement = ""
            mark = AGREEMENT_MARK.search(rest)
            if mark is not None:
                rest = rest[: mark.start()].strip()
                key, _, agreement = mark["mark"].strip().partition("=")
                if key.strip() != "agreement" or agreement.strip() not in AGREEMENTS:
                    problem(
                        file_line,
                        f"unknown exercise mark {{{mark['mark']}}}: write "
                        + ", ".join(f"{{agreement={name}}}" for name in AGREEMENTS)
                        + " (or nothing)",
                    )
                agreement = agreement.strip()
            if not rest:
                problem(file_line, "an exercise needs a title: ::: exercise Short title")
            elif len(rest) > MAX_TITLE:
                problem(
                    file_line,
                    f"exercise title is {len(rest)} characters long; the limit is {MAX_TITLE}",
                )
            else:
                block = Part(
                    kind=EXERCISE, markdown="", line=file_line, title=rest, agreement=agreement
                )
                words[SHARED] += _words(rest)
        else:
            problem(
                file_line,
                f"unknown block {line.strip()!r}: open a block with ::: for hurt, "
                "::: for broke or ::: exercise Short title",
            )
        close(SHARED, start)
        opened = block
    if opened is not None:
        problem(opened.line, "this block is never closed: end it with a ::: line")
    close(SHARED, start)
    return (parts if ok else None), words


def _parse_your_turn(
    source: _Source, body_lines: list[str], turn_at: int, errors: list[ContentError]
) -> tuple[list[Prompt] | None, str]:
    prompts: list[Prompt] = []
    intro: list[str] = []
    ok = True
    for offset, line in enumerate(body_lines[turn_at + 1 :], start=turn_at + 1):
        file_line = source.body_line + offset
        if HEADING.match(line):
            errors.append(
                ContentError(
                    source.path, file_line, 'the "Your Turn" section must be the last section'
                )
            )
            ok = False
            break
        if FENCE.match(line):
            errors.append(
                ContentError(
                    source.path,
                    file_line,
                    'no ::: blocks inside "## Your Turn": put role parts and exercises above it',
                )
            )
            ok = False
            continue
        question = QUESTION.match(line)
        if not question:
            if line.strip() and not prompts:
                intro.append(line.strip())
            elif line.strip():
                # A wrapped question line continues the one before it.
                errors.append(
                    ContentError(
                        source.path, file_line, "write each question on one line, ending in {#id}"
                    )
                )
                ok = False
            continue
        text = question["text"]
        found = PROMPT_ID.search(text)
        if not found:
            errors.append(
                ContentError(
                    source.path, file_line, "question has no prompt id: end it with {#some-id}"
                )
            )
            ok = False
            continue
        prompt_id, role = found["id"].strip(), ""
        with_role = PROMPT_ROLE.match(prompt_id)
        if with_role:
            prompt_id, role = with_role["id"], with_role["role"]
            if role not in ROLES:
                errors.append(
                    ContentError(
                        source.path,
                        file_line,
                        f"unknown role {role!r} on a question: write {{#{prompt_id} for=hurt}} "
                        f"or {{#{prompt_id} for=broke}}",
                    )
                )
                ok = False
                continue
        if not SLUG.match(prompt_id):
            errors.append(
                ContentError(
                    source.path,
                    file_line,
                    f"prompt id {prompt_id!r} must use only a-z, 0-9 and single hyphens",
                )
            )
            ok = False
            continue
        if len(prompt_id) > MAX_ID:
            errors.append(
                ContentError(
                    source.path,
                    file_line,
                    f"prompt id is {len(prompt_id)} characters long; the limit is {MAX_ID}",
                )
            )
            ok = False
            continue
        text = text[: found.start()].strip()
        if not text:
            errors.append(ContentError(source.path, file_line, "question has no text"))
            ok = False
            continue
        prompts.append(
            Prompt(id=prompt_id, text=text, order=len(prompts) + 1, line=file_line, role=role)
        )
    if ok and not prompts:
        errors.append(
            ContentError(
                source.path, source.body_line + turn_at, 'the "Your Turn" section has no questions'
            )
        )
        ok = False
    return (prompts if ok else None), " ".join(intro)


def _check_unique(stages: list[Stage], errors: list[ContentError]) -> None:
    seen_stages: dict[str, str] = {}
    for stage in stages:
        if stage.id in seen_stages:
            errors.append(
                ContentError(
                    stage.path,
                    2,
                    f"duplicate stage id {stage.id!r} (also in {seen_stages[stage.id]})",
                )
            )
        seen_stages.setdefault(stage.id, stage.path)
    seen_lessons: dict[str, str] = {}
    seen_prompts: dict[str, str] = {}
    seen_agreements: dict[str, str] = {}
    for stage in stages:
        for lesson in stage.lessons:
            if lesson.id in seen_lessons:
                errors.append(
                    ContentError(
                        lesson.path,
                        lesson.id_line,
                        f"duplicate lesson id {lesson.id!r} (also in {seen_lessons[lesson.id]})",
                    )
                )
            seen_lessons.setdefault(lesson.id, lesson.path)
            for part in lesson.parts:
                if not part.agreement:
                    continue
                if part.agreement in seen_agreements:
                    errors.append(
                        ContentError(
                            lesson.path,
                            part.line,
                            f"agreement {part.agreement!r} is produced by one exercise only "
                            f"(also at {seen_agreements[part.agreement]})",
                        )
                    )
                seen_agreements.setdefault(part.agreement, f"{lesson.path}:{part.line}")
            for prompt in lesson.prompts:
                where = f"{lesson.path}:{prompt.line}"
                if prompt.id in seen_prompts:
                    errors.append(
                        ContentError(
                            lesson.path,
                            prompt.line,
                            f"duplicate prompt id {prompt.id!r} "
                            f"(also at {seen_prompts[prompt.id]})",
                        )
                    )
                seen_prompts.setdefault(prompt.id, where)


def _check_links(stages: list[Stage], errors: list[ContentError]) -> None:
    known = {lesson.id for stage in stages for lesson in stage.lessons}
    for stage in stages:
        for lesson in stage.lessons:
            for number, target in lesson.links:
                if target not in known:
                    errors.append(
                        ContentError(
                            lesson.path,
                            number,
                            f"link to a lesson that does not exist: lesson:{target}",
                        )
                    )


def check_limits(course: Course, limits: Limits = LIMITS) -> list[ContentError]:
    """The course's size and shape, as `path:line: message` problems (the format is
    `load_course`'s to check; this asks whether there is enough, and not too much)."""
    errors = []
    for stage in course.stages:
        if len(stage.lessons) < limits.min_lessons_per_stage:
            errors.append(
                ContentError(
                    stage.path,
                    1,
                    f"this stage has {len(stage.lessons)} lesson(s); "
                    f"it needs at least {limits.min_lessons_per_stage}",
                )
            )
    low, high = limits.shared_words
    asked_low, asked_high = limits.questions_per_role
    for lesson in course.lessons:
        if not low <= lesson.shared_words <= high:
            errors.append(
                ContentError(
                    lesson.path,
                    1,
                    f"the shared text (all but the role parts) is {lesson.shared_words} "
                    f"words; write {low} to {high}",
                )
            )
        if not any(prompt.role for prompt in lesson.prompts) and not (
            asked_low <= len(lesson.prompts) <= asked_high
        ):
            errors.append(
                ContentError(
                    lesson.path,
                    1,
                    f'"Your Turn" asks {len(lesson.prompts)} question(s); '
                    f"ask {asked_low} to {asked_high}",
                )
            )
        for role in ROLES:
            reading = lesson.shared_words + lesson.role_words.get(role, 0)
            if reading > limits.max_role_words:
                errors.append(
                    ContentError(
                        lesson.path,
                        1,
                        f"the reading for {role} (shared text and its parts) is {reading} "
                        f"words; the limit is {limits.max_role_words}",
                    )
                )
            asked = sum(1 for prompt in lesson.prompts if prompt.role in ("", role))
            if any(prompt.role for prompt in lesson.prompts) and not (
                asked_low <= asked <= asked_high
            ):
                errors.append(
                    ContentError(
                        lesson.path,
                        1,
                        f"{role} is asked {asked} question(s) (for everyone and for={role}); "
                        f"ask {asked_low} to {asked_high}",
                    )
                )
    return errors
