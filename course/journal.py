"""Saving journal answers: one function writes text *and* sharing choice, versions
both, and detects conflicts.

Every save names the version it was based on. If the stored answer has moved on since
(another tab, another device, a change of text or of sharing), the save is refused as a
conflict and nothing is lost: the caller shows both texts. So a stale tab can never
widen sharing. Narrowing needs no version: withdrawing is always possible and immediate.
Earlier wordings are kept as versions; quick successive autosaves within a few minutes
update the newest version instead of piling up copies.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

import markdown
import nh3
from django.conf import settings
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.urls import reverse
from django.utils import timezone

from accounts import audit, notices
from accounts.links import couple_of, partner_of
from accounts.services import notify_partner
from course.models import Answer, AnswerVersion, Prompt, Sharing
from course.snapshot import PromptView, current_course

VERSION_WINDOW = timedelta(minutes=10)
ANSWER_TAGS = {"p", "em", "strong", "ul", "ol", "li", "blockquote", "br"}


class AnswerTooLong(ValueError):
    pass


# From narrowest to widest: when in doubt, the narrower choice wins.
WIDTH = {Sharing.PRIVATE: 0, Sharing.WHEN_BOTH: 1, Sharing.SHARED: 2}


@dataclass
class SaveResult:
    answer: Answer | None
    conflict: bool = False
    unchanged: bool = False
    was_shared: bool = False

    @property
    def newly_shared(self) -> bool:
        return self.answer is not None and self.answer.is_shared and not self.was_shared

    @property
    def withdrawn(self) -> bool:
        return self.answer is not None and self.was_shared and not self.answer.is_shared


def _ended_share(answer: Answer) -> bool:
    """Shared once, in a link that has since ended: private now, but the row still says
    how it was shared until something settles it (see `settle_ended_shares`)."""
    return answer.sharing != Sharing.PRIVATE and answer.shared_with_id is None


def _settle(answer: Answer) -> None:
    """On a locked row whose link ended: store it as private, as a new version. Every page
    that shows the answer settles it first, so a page still offering the old choice
    (drawn before the unlink) names an older version and can no longer widen anything."""
    answer.sharing, answer.shared_at = Sharing.PRIVATE, None
    answer.version += 1
    answer.save(update_fields=["sharing", "shared_at", "version", "updated_at"])


def settle_ended_shares(answers) -> None:
    """Before a page shows these answers (and their versions): those whose link has ended
    become private in the database too. One UPDATE, and only when there is such an answer
    (after an unlink), so pages pay nothing otherwise."""
    ended = [answer for answer in answers if answer is not None and _ended_share(answer)]
    if not ended:
        return
    Answer.objects.filter(pk__in=[a.pk for a in ended], shared_with__isnull=True).update(
        sharing=Sharing.PRIVATE, shared_at=None, version=F("version") + 1
    )
    for answer in ended:
        answer.sharing, answer.shared_at, answer.version = Sharing.PRIVATE, None, answer.version + 1


def _link_to_share_with(author, sharing: str | None):
    """Inside the save's transaction: the link a widening choice would share with,
    locked, so an unlink racing the save cannot leave a share pointing at a deleted link
    (it used to answer 500). None for private, or to keep the stored choice."""
    if sharing in (None, Sharing.PRIVATE):
        return None
    return couple_of(author, lock=True)


def _apply_sharing(answer: Answer, sharing: str, *, prompt: Prompt, couple, now) -> bool:
    """Set the choice on `answer` (not saved); True if what is in force changed.

    A share needs a link to belong to: without one, or for a private lesson's question,
    the answer stays private, and the page says so, since it shows what is stored."""
    if sharing not in Sharing.values:
        raise ValueError(f"unknown sharing choice {sharing!r}")
    if couple is None or prompt.lesson.private:
        sharing = Sharing.PRIVATE
    before = (answer.current_sharing, answer.shared_with_id)
    answer.sharing = sharing
    answer.shared_with = None if sharing == Sharing.PRIVATE else couple
    if (answer.current_sharing, answer.shared_with_id) == before:
        return False
    answer.shared_at = None if sharing == Sharing.PRIVATE else now
    return True


def clean_text(text: str) -> str:
    """Keep what was written exactly, but for line endings and NUL bytes."""
    text = text.replace("\r\n", "\n").replace("\x00", "")
    if len(text) > settings.JOURNAL_MAX_CHARS:
        raise AnswerTooLong(
            f"This answer is {len(text):,} characters; the limit is "
            f"{settings.JOURNAL_MAX_CHARS:,}. Your text is still here: shorten it or split it."
        )
    return text


def save_answer(
    *,
    author,
    prompt: Prompt,
    text: str,
    base_version: int,
    sharing: str | None = None,
    new_version: bool = False,
) -> SaveResult:
    """Save `text` and the `sharing` choice (None keeps the stored one) as `author`'s
    answer, unless someone saved a newer version first.

    `base_version` is the version the writer started from (0 for a first answer).
    `new_version` keeps the current wording as its own version (used when restoring).
    """
    if sharing is not None and sharing not in Sharing.values:
        raise ValueError(f"unknown sharing choice {sharing!r}")
    text = clean_text(text)
    now = timezone.now()
    with transaction.atomic():
        couple = _link_to_share_with(author, sharing)
        answer = Answer.objects.select_for_update().filter(author=author, prompt=prompt).first()
        if answer is None:
            if base_version != 0:
                return SaveResult(None, conflict=True)
            if not text.strip():
                return SaveResult(None, unchanged=True)
            answer = Answer(author=author, prompt=prompt, text=text, version=1)
            _apply_sharing(
                answer, sharing or Sharing.PRIVATE, prompt=prompt, couple=couple, now=now
            )
            try:
                # Two tabs can send a first answer at the same moment; the second one
                # is a conflict like any other, shown with both texts.
                with transaction.atomic():
                    answer.save(force_insert=True)
            except IntegrityError:
                existing = Answer.objects.filter(author=author, prompt=prompt).first()
                return SaveResult(existing, conflict=True)
            AnswerVersion.objects.create(answer=answer, version=1, text=text, saved_at=now)
            return SaveResult(answer)
        answer.prompt = prompt
        if _ended_share(answer):
            # No page drawn since the link ended could send this (pages settle first):
            # it comes from before the unlink, so its text waits on the conflict page and
            # its sharing choice, made for a link that is gone, is never applied.
            _settle(answer)
            return SaveResult(answer, conflict=True, was_shared=False)
        if answer.version != base_version:
            if sharing is not None and WIDTH[sharing] < WIDTH[answer.current_sharing]:
                # A stale tab may still narrow: withdrawing is always immediate. Its
                # text waits on the conflict page.
                return _save_sharing(answer, sharing, couple=couple, conflict=True)
            return SaveResult(answer, conflict=True)
        was_shared = answer.is_shared
        sharing_changed = sharing is not None and _apply_sharing(
            answer, sharing, prompt=prompt, couple=couple, now=now
        )
        text_changed = answer.text != text
        if not (text_changed or sharing_changed):
            return SaveResult(answer, unchanged=True, was_shared=was_shared)
        answer.version = base_version + 1
        fields = ["version", "updated_at", "sharing", "shared_with", "shared_at"]
        if text_changed:
            answer.text = text
            fields.append("text")
            latest = answer.versions.first()
            merge = latest is not None and now - latest.saved_at < VERSION_WINDOW
            # An emptied answer never replaces the words of the newest version.
            if not new_version and merge and text.strip():
                # Autosaves in one sitting refine the newest version instead of piling up.
                AnswerVersion.objects.filter(pk=latest.pk).update(
                    version=answer.version, text=text, saved_at=now
                )
            else:
                AnswerVersion.objects.create(
                    answer=answer, version=answer.version, text=text, saved_at=now
                )
        answer.save(update_fields=fields)
    return SaveResult(answer, was_shared=was_shared)


def change_sharing(*, author, answer: Answer, sharing: str, base_version: int | None) -> SaveResult:
    """Share or withdraw without touching the text, from a page that shows the answer.

    Narrowing (withdrawing) is always allowed and immediate. Widening must name the
    version the page showed: a stale page cannot share what was withdrawn since."""
    if sharing not in Sharing.values:
        raise ValueError(f"unknown sharing choice {sharing!r}")
    with transaction.atomic():
        couple = _link_to_share_with(author, sharing)
        locked = (
            Answer.objects.select_for_update()
            .filter(pk=answer.pk, author=author)
            .select_related("prompt__lesson")
            .first()
        )
        if locked is None:
            return SaveResult(None, conflict=True)
        if _ended_share(locked):
            _settle(locked)
            if sharing != Sharing.PRIVATE:
                return SaveResult(locked, conflict=True)
            return SaveResult(locked, unchanged=True)
        widening = WIDTH[sharing] > WIDTH[locked.current_sharing]
        if widening and base_version != locked.version:
            return SaveResult(locked, conflict=True, was_shared=locked.is_shared)
        return _save_sharing(locked, sharing, couple=couple)


def _save_sharing(answer: Answer, sharing: str, *, couple, conflict: bool = False) -> SaveResult:
    """Inside the caller's transaction, on a locked row: apply and store the choice."""
    was_shared = answer.is_shared
    now = timezone.now()
    if not _apply_sharing(answer, sharing, prompt=answer.prompt, couple=couple, now=now):
        return SaveResult(answer, conflict=conflict, unchanged=True, was_shared=was_shared)
    answer.version += 1
    answer.save(update_fields=["sharing", "shared_with", "shared_at", "version", "updated_at"])
    return SaveResult(answer, conflict=conflict, was_shared=was_shared)


def who_can_read(sharing: str, partner, *, partner_offered: bool, private_lesson: bool) -> str:
    """In words, who can read an answer stored with `sharing` now. `partner_offered`:
    the spouse has shared their own answer to the same question with the link."""
    if private_lesson:
        return "Private to you. Answers to this lesson's questions are never shared."
    if partner is None:
        return "Private to you. Once you link accounts with your spouse, you can choose to share."
    name = partner.display_name
    if sharing == Sharing.SHARED:
        return f"{name} can read this."
    if sharing == Sharing.WHEN_BOTH:
        if partner_offered:
            return f"{name} can read this: you have both shared your answers."
        return (
            f"{name} will see this once you have both shared your answers to this question. "
            "Until then neither of you sees the other's."
        )
    return f"Private to you. {name} cannot see it."


@dataclass
class Reach:
    """Who can read a spouse's answers to some questions, for the help under each form:
    the partner (or None) and how the partner shared their own answers to them."""

    partner: object | None
    offered: dict[str, str]

    def who_can_read(self, prompt: Prompt | PromptView, sharing: str) -> str:
        return who_can_read(
            sharing,
            self.partner,
            partner_offered=prompt.slug in self.offered,
            private_lesson=prompt.lesson.private,
        )

    def partner_note(self, prompt: Prompt | PromptView, sharing: str) -> str:
        """What waits on the other side of an exchange, before this spouse reveals."""
        if self.partner is None or prompt.lesson.private:
            return ""
        if self.offered.get(prompt.slug) == Sharing.WHEN_BOTH and sharing == Sharing.PRIVATE:
            return (
                f"{self.partner.display_name} has answered this and will share it once you "
                "share yours. Then you will each see the other's answer."
            )
        return ""


_LOOK_UP = object()


def reach_for(user, prompt_slugs, *, partner=_LOOK_UP) -> Reach:
    """Two queries, however many questions; one if the page read the `partner` already
    (`course.progress.standing_of`)."""
    if partner is _LOOK_UP:
        partner = partner_of(user)
    offered = {}
    if partner is not None:
        offered = dict(
            Answer.objects.offered_to(user)
            .filter(prompt_id__in=list(prompt_slugs))
            .values_list("prompt_id", "sharing")
        )
    return Reach(partner, offered)


# Markdown an answer does not use: the answer form promises emphasis, strong, lists and
# quotes (ANSWER_HELP), with paragraphs, line breaks and backslash escapes. Links,
# images, headings, code and rules show as they were typed.
UNUSED_BLOCKS = ("code", "hashheader", "setextheader", "hr", "reference")
UNUSED_INLINE = (
    *("backtick", "link", "image_link", "reference", "image_reference"),
    *("short_reference", "short_image_ref", "autolink", "automail", "html"),
)


def answer_converter() -> markdown.Markdown:
    """A Markdown converter for answers, for one page to reuse: building one costs more
    than converting a short answer. The workbook of 200 answers took 126 ms of CPU with a
    converter an answer, and 75 ms with one a page (2026-12-07,
    `bench/profile_page.py /journal/workbook/ --time-only`). Not shared between threads.

    Only the promised Markdown is read; the rest (UNUSED_BLOCKS, UNUSED_INLINE) is left
    out. Each of those patterns searched every answer for something the form never
    offered, and what it found was either dropped by the allowlist (a link's address,
    an image, a reference line: words the writer typed, gone from the page) or
    flattened (a heading): 20 answers of 600 characters took 2.30 ms of CPU instead of
    5.15 (2026-12-07, best of 15 on a busy machine). Passes that look for raw HTML could
    never match anyway: `render_answer` escapes every "<" first."""
    converter = markdown.Markdown(extensions=["sane_lists", "nl2br"])
    converter.preprocessors.deregister("html_block")
    for name in UNUSED_BLOCKS:
        converter.parser.blockprocessors.deregister(name)
    for name in UNUSED_INLINE:
        converter.inlinePatterns.deregister(name)
    return converter


_LIST_ITEM = re.compile(r"[ ]{0,3}[-*+][ \t]")


def _blank_line_before_lists(text: str) -> str:
    """A list typed straight under a line ("Things:" then "- one"): Markdown wants a
    blank line before it, which people do not type, so it gets one. Line by line: one
    pattern over the whole text backtracked, 5 ms for a 600-character answer."""
    lines = text.split("\n")
    kept, in_list = [], False
    for line in lines:
        item = _LIST_ITEM.match(line) is not None
        if item and not in_list and kept and kept[-1].strip():
            kept.append("")
        in_list = (item or in_list) and bool(line.strip())
        kept.append(line)
    return "\n".join(kept)


def render_answer(text: str, converter: markdown.Markdown | None = None) -> str:
    """Light Markdown with a strict allowlist; any HTML the writer typed shows as text.
    The converter is reset first, so nothing of one answer reaches the next."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    escaped = _blank_line_before_lists(escaped)
    html = (converter or answer_converter()).reset().convert(escaped)
    return nh3.clean(html, tags=ANSWER_TAGS, attributes={}, link_rel=None)


# Emphasis as the answer form promises it (ANSWER_HELP): *emphasis*, **strong**.
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<!\w)([*_])(?=\S)(.+?)(?<=\S)\1(?!\w)")


def _plain_line(line: str) -> str:
    """One line without the marks that open a promised Markdown block: quotes; a list
    item keeps a bullet, so its items read apart."""
    line = line.lstrip()
    while line.startswith(">"):
        line = line[1:].lstrip()
    if _LIST_ITEM.match(line):
        line = "• " + line[2:]
    return line


def first_lines(text: str, limit: int = 160) -> str:
    """The opening words of an answer as plain text, for a list: its Markdown marks
    taken out rather than drawn (HTML cut to a preview's length would be cut mid-tag).
    Only the opening lines are looked at, and the emphasis patterns run only when
    there is an asterisk or underscore: 7 µs for the bench's
    600-character answer this way (5 µs with no marks taken out), against 59 µs with a
    pattern for each kind of mark over the whole text (2026-12-07, timeit). An answer
    whose first 1,280 characters are mostly marks and blank lines gets a short preview."""
    kept, length = [], 0
    for line in text.lstrip()[: limit * 8].splitlines():
        line = _plain_line(line)
        kept.append(line)
        length += len(line)
        if length > limit * 2:
            break
    flat = " ".join(" ".join(kept).split())[: limit * 2]
    if "*" in flat or "_" in flat:
        flat = _EMPHASIS.sub(r"\2", _STRONG.sub(r"\2", flat))
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def restore_version(*, author, version: AnswerVersion) -> SaveResult:
    """Bring back an earlier wording as the newest version; nothing is overwritten."""
    answer = version.answer
    return save_answer(
        author=author,
        prompt=answer.prompt,
        text=version.text,
        base_version=answer.version,
        new_version=True,
    )


def sharing_labels(partner) -> dict[str, str]:
    """The sharing choices in words. Once there is a partner they name them, as the
    line above the choices does ("Jo cannot see it."); the model's words otherwise."""
    if partner is None:
        return dict(Sharing.choices)
    name = partner.display_name
    return {
        Sharing.PRIVATE: Sharing.PRIVATE.label,
        Sharing.SHARED: f"Shared with {name}",
        Sharing.WHEN_BOTH: f"Shared with {name} when we have both shared ours",
    }


@dataclass(slots=True)
class AnswerSummary:
    """What a journal page knows of an answer before it reads the text, read as plain
    values: building 200 `Answer` instances was a third of /journal/'s CPU (5.1 ms
    against 1.7 for the values, 2026-12-07, bench couple). `read_texts` adds the text of
    the answers a page shows."""

    pk: int
    prompt_id: str
    version: int
    sharing: str
    shared_with_id: int | None
    shared_at: datetime | None
    updated_at: datetime
    written: bool  # whether it holds any text
    text: str = dataclasses.field(default="", init=False)

    current_sharing = Answer.current_sharing


@dataclass
class JournalRow:
    """One prompt and this spouse's answer to it (None if not answered), for a page.

    The prompt comes from the worker's shared copy of the course, which is frozen: what
    belongs to one spouse is kept here, beside it."""

    prompt: PromptView
    answer: Answer | AnswerSummary | None
    answer_url: str
    preview: str = ""
    saved_on: str = ""
    sharing_label: str = ""
    answer_html: str = ""
    can_open: bool = True
    label: str = ""  # who the question is for, when the reader needs telling


def may_open(prompt: Prompt | PromptView, answer: Answer | None, journey) -> bool:
    """May this spouse open the question's page? Yes if they answered it before (answers
    to retired or relocked questions stay theirs), or if its lesson is open to them."""
    if answer is not None:
        return True
    state = journey.state_of(prompt.lesson.slug)
    return not prompt.retired_at and state is not None and state.is_readable


@dataclass
class StageTab:
    """One stage in the journal's navigation: how many of its questions are answered."""

    stage: object
    answered: int
    total: int
    url: str
    current: bool = False


def stage_tabs(stages: dict, chosen) -> list[StageTab]:
    """The journal's stages as links, with counts, from `journal_rows`' grouping."""
    journal_url = reverse("journal:index")
    tabs = []
    for stage, lessons in stages.items():
        rows = [row for lesson_rows in lessons.values() for row in lesson_rows]
        answered = sum(1 for row in rows if row.answer and row.answer.written)
        url = f"{journal_url}?stage={stage.slug}"
        tabs.append(StageTab(stage, answered, len(rows), url, stage == chosen))
    return tabs


def stage_to_show(stages: dict, rows: list[JournalRow], asked: str):
    """The stage the journal opens at: the one asked for (?stage=), else the stage of the
    answer saved last (where the writer left off), else the first."""
    for stage in stages:
        if stage.slug == asked:
            return stage
    answered = [row for row in rows if row.answer]
    if answered:
        latest = max(answered, key=lambda row: row.answer.updated_at)
        return latest.prompt.lesson.stage
    return next(iter(stages), None)


# Questions of one stage on one journal page. The benchmark's practice stage has 160
# (20 lessons of 8): drawing them all was half of /journal/'s time (bench/profile_page.py).
# A stage of up to 60 questions (every stage of the course but practice) stays whole.
ROWS_A_PAGE = 40
ROW_ORPHANS = 20


@dataclass
class LessonPage:
    """One page of a stage in the journal's navigation, named by its lessons."""

    label: str
    url: str
    current: bool


def lesson_pages(stage, lessons: dict, asked: str | None) -> tuple[list, list[LessonPage]]:
    """The rows of `stage` to show, grouped by lesson as (lesson, rows) pairs, and the
    stage's pages as links (none when it fits on one). `asked` is the page asked for
    (?page=); without one, the page holding the answer saved last, where the writer
    left off."""
    rows = [row for lesson_rows in lessons.values() for row in lesson_rows]
    paginator = Paginator(rows, ROWS_A_PAGE, orphans=ROW_ORPHANS)
    if asked is None:
        saved = [(row.answer.updated_at, n) for n, row in enumerate(rows) if row.answer]
        asked = str(max(saved)[1] // ROWS_A_PAGE + 1) if saved else "1"
    page = paginator.get_page(asked)
    shown = [
        (lesson, list(lesson_rows))
        for lesson, lesson_rows in groupby(page.object_list, key=lambda row: row.prompt.lesson)
    ]
    if paginator.num_pages == 1:
        return shown, []
    number_of = {lesson: n for n, lesson in enumerate(lessons, start=1)}
    url = f"{reverse('journal:index')}?stage={stage.slug}&page="
    by_lesson, by_question = [], []
    for number in paginator.page_range:
        on_it = paginator.page(number)
        first, last = on_it.object_list[0].prompt.lesson, on_it.object_list[-1].prompt.lesson
        by_lesson.append(
            f"Lesson {number_of[first]}"
            if first == last
            else f"Lessons {number_of[first]} to {number_of[last]}"
        )
        by_question.append(f"Questions {on_it.start_index()} to {on_it.end_index()}")
    # Named by their lessons, unless a lesson spans pages and two would share a name.
    labels = by_lesson if len(set(by_lesson)) == len(by_lesson) else by_question
    links = [
        LessonPage(label, f"{url}{number}", number == page.number)
        for number, label in zip(paginator.page_range, labels, strict=True)
    ]
    return shown, links


def journal_rows(user, *, texts: bool = True) -> tuple[dict, list[JournalRow]]:
    """Every current prompt, and every prompt `user` answered even if it has left the
    course, as rows in course order: grouped {stage: {lesson: [JournalRow]}}, and as one
    list. One query for the answers, and one more only when some answered prompt is no
    longer in the course.

    `texts=False` leaves the answers' text unread, and gives each as an `AnswerSummary`
    (which knows, as `written`, whether it holds any text): decrypting and building 200
    whole answers was half the time of a journal page that shows one stage
    (bench/profile_page.py). Read the texts of the rows a page shows with `read_texts`."""
    journal_url = reverse("journal:index")
    answers = Answer.objects.of(user).annotate(
        written=ExpressionWrapper(~Q(text=""), output_field=BooleanField())
    )
    if texts:
        answers = {answer.prompt_id: answer for answer in answers}
    else:
        fields = [field.name for field in dataclasses.fields(AnswerSummary) if field.init]
        answers = {row["prompt_id"]: AnswerSummary(**row) for row in answers.values(*fields)}
    settle_ended_shares(answers.values())
    course = current_course()
    prompts = course.prompts()
    if not answers.keys() <= course.prompts_by_slug().keys():
        prompts = course.prompts_with({prompt.slug for prompt in prompts} | answers.keys())
    stages: dict = {}
    rows = []
    for prompt in prompts:
        row = JournalRow(prompt, answers.get(prompt.slug), f"{journal_url}{prompt.slug}/")
        stages.setdefault(prompt.lesson.stage, {}).setdefault(prompt.lesson, []).append(row)
        rows.append(row)
    return stages, rows


def read_texts(user, rows: list[JournalRow], *, only_these: bool = False) -> None:
    """The texts of `user`'s answers in these rows, read in one query, onto the answers.
    `only_these` reads no other answer's text (a page showing a few of them); otherwise
    all of `user`'s are read, which is cheaper to ask for when the rows are most of them."""
    answers = {row.answer.pk: row.answer for row in rows if row.answer is not None}
    found = Answer.objects.of(user)
    if only_these:
        # By the rows' questions, not the answers' ids: an empty list of ids would skip
        # the query, and pages must take as many queries however many are answered.
        found = found.filter(prompt_id__in=[row.prompt.slug for row in rows])
    texts = dict(found.values_list("pk", "text"))
    for pk, answer in answers.items():
        answer.text = texts.get(pk, "")


def record_sharing(user, result: SaveResult) -> None:
    """The spouse's activity log, and a neutral notice to the partner on a new share."""
    if result.newly_shared:
        audit.record(user, audit.Kind.SHARED)
        notify_partner(user, "shared")
        partner = partner_of(user)
        if partner is not None:
            notices.tell(partner, notices.Kind.SHARED, couple=result.answer.shared_with)
    elif result.withdrawn:
        audit.record(user, audit.Kind.WITHDRAWN)
        partner = partner_of(user)
        if (
            partner is not None
            and not Answer.objects.offered_to(partner).filter(author=user).exists()
        ):
            # partner_of brought the membership: its couple is the link they share.
            notices.take_back(partner, notices.Kind.SHARED, couple=partner.membership.couple_id)
