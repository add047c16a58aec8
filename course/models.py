"""The course as mirrored from content/, and what each spouse does in it.

Stage, Lesson and Prompt rows are written only by `sync_content`; their `slug` is the
stable id from the Markdown front matter, so progress and journal rows point at it and
survive renames, retitles and reordering.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from course.content import AGREEMENTS
from course.encryption import EncryptedTextField
from course.sharing import (
    AgreementQuerySet,
    AgreementVersionQuerySet,
    AnswerQuerySet,
    CheckInQuerySet,
    CommitmentQuerySet,
    ReplyQuerySet,
)


class ContentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(retired_at__isnull=True)


class StageQuerySet(ContentQuerySet):
    def outline(self) -> list["Stage"]:
        """Current stages, each with `current_lessons`, in two queries whatever their size.

        Most pages want `course.snapshot.current_outline()`, which keeps it between syncs."""
        stages = list(self.current())
        by_stage: dict[int, list[Lesson]] = {stage.pk: [] for stage in stages}
        lessons = Lesson.objects.current().filter(stage__retired_at__isnull=True)
        for lesson in lessons.defer("parts", "your_turn_intro", "source_path", "source_hash"):
            by_stage[lesson.stage_id].append(lesson)
        for stage in stages:
            stage.current_lessons = by_stage[stage.pk]
        return [stage for stage in stages if stage.current_lessons]


class ContentRevision(models.Model):
    """One row that every `sync_content` which changes the course gives a new random
    token. Each worker keeps its copy of the course (course.snapshot) under the token it
    was read at, so one small query per page tells every worker that the course changed."""

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token


class Stage(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    order = models.PositiveIntegerField()
    description = models.TextField(blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = StageQuerySet.as_manager()

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    slug = models.SlugField(unique=True, max_length=100)
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="lessons")
    title = models.CharField(max_length=200)
    summary = models.TextField()
    order = models.PositiveIntegerField()
    parts = models.JSONField(
        default=list,
        help_text="The body in reading order, rendered and sanitised once, at sync: "
        'a list of {"kind": shared|role|exercise, "role", "title", "html"}.',
    )
    your_turn_intro = models.TextField(blank=True)
    word_count = models.PositiveIntegerField(default=0)
    reading_minutes = models.PositiveIntegerField(default=1)
    public = models.BooleanField(
        default=False, help_text="Open to everyone, signed in or not, whatever their progress."
    )
    private = models.BooleanField(
        default=False,
        help_text="Its reading never shows to the partner, and its questions cannot be shared.",
    )
    source_path = models.CharField(max_length=300)
    source_hash = models.CharField(max_length=64)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["stage__order", "order", "slug"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("course:lesson", args=[self.slug])


class Prompt(models.Model):
    slug = models.SlugField(unique=True, max_length=100)
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="prompts")
    text = models.TextField()
    text_html = models.TextField()
    order = models.PositiveIntegerField()
    role = models.CharField(
        max_length=10,
        blank=True,
        choices=[("hurt", "The spouse who was hurt"), ("broke", "The spouse who broke trust")],
        help_text="Blank: a question for everyone.",
    )
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["lesson__stage__order", "lesson__order", "order"]

    def __str__(self) -> str:
        return self.text


class Completion(models.Model):
    """A spouse has finished a lesson. Deleting the row undoes it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="completions"
    )
    lesson = models.ForeignKey(
        Lesson, to_field="slug", on_delete=models.PROTECT, related_name="completions"
    )
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="one_completion_per_lesson")
        ]

    def __str__(self) -> str:
        return f"{self.user} finished {self.lesson_id}"


class LastOpened(models.Model):
    """The lesson a spouse opened most recently, so the home page can offer it again."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="last_opened"
    )
    lesson = models.ForeignKey(Lesson, to_field="slug", on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} last opened {self.lesson_id}"

    @classmethod
    def remember(cls, user, lesson) -> None:
        """One statement: insert, or move the bookmark if it points elsewhere. `lesson`
        is a Lesson or the worker's copy of one (course.snapshot): only its slug is kept."""
        cls.objects.bulk_create(
            [cls(user=user, lesson_id=lesson.slug, opened_at=timezone.now())],
            update_conflicts=True,
            unique_fields=["user"],
            update_fields=["lesson", "opened_at"],
        )


class Sharing(models.TextChoices):
    PRIVATE = "private", "Private: only me"
    SHARED = "shared", "Shared with my spouse"
    WHEN_BOTH = "when_both", "Shared when we have both shared ours"


def _shared_with_link():
    """A share belongs to the link it was made in: ending the link empties it."""
    return models.ForeignKey(
        "accounts.Couple",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The link this is shared with; empty means private.",
    )


class Answer(models.Model):
    """One spouse's journal answer to one prompt. Private unless its author shares it.

    `sharing` is the writer's choice and `shared_with` the link it was made in; the
    answer is shared only while both say so (see `course.sharing`). Every change of
    text or sharing moves `version` on, so a stale tab can never overwrite either.
    """

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answers"
    )
    prompt = models.ForeignKey(
        Prompt, to_field="slug", on_delete=models.PROTECT, related_name="answers"
    )
    text = EncryptedTextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    sharing = models.CharField(max_length=10, choices=Sharing.choices, default=Sharing.PRIVATE)
    shared_with = _shared_with_link()
    shared_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["author", "prompt"], name="one_answer_per_prompt")
        ]

    def __str__(self) -> str:
        # Never the text: this string can end up in logs and the admin.
        return f"answer {self.pk} by user {self.author_id} to {self.prompt_id}"

    @property
    def current_sharing(self) -> str:
        """The choice in force: a share whose link has ended is private."""
        return self.sharing if self.shared_with_id else Sharing.PRIVATE

    @property
    def is_shared(self) -> bool:
        return self.current_sharing != Sharing.PRIVATE


class Reply(models.Model):
    """A spouse's response to an answer shared between the two: a few words, or a
    gentle acknowledgement. No likes, no scores. It is a share of the link like the
    answer it answers: both see it while linked, and ending the link ends it (the
    writer keeps it in their export)."""

    class Kind(models.TextChoices):
        WORDS = "words", "A few words"
        THANKS = "thanks", "Thank you for telling me"
        TALK = "talk", "I'd like to talk about this"

    answer = models.ForeignKey("Answer", on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="replies"
    )
    shared_with = _shared_with_link()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.WORDS)
    text = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReplyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        # Never the text: this string can end up in logs and the admin.
        return f"reply {self.pk} by user {self.author_id} to answer {self.answer_id}"


class AnswerVersion(models.Model):
    """Earlier wordings of an answer, kept so its author can look back or restore."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    text = EncryptedTextField(blank=True)
    saved_at = models.DateTimeField()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "version"], name="one_row_per_version")
        ]

    def __str__(self) -> str:
        return f"version {self.version} of answer {self.answer_id}"


# --- Trust over time: check-ins and commitments ----------------------------------------

# The signs of trust from the trust lessons, in our own words, each rated twice: what a
# spouse sees in themselves and what they see in their spouse. Nobody is asked to rate
# "we" as one: after a breach, the two answers are rarely the same.
# (key, short label, statement about me, statement about my spouse)
SIGNS = (
    ("says", "Saying what you mean", "I say what I mean.", "My spouse says what they mean."),
    (
        "follows",
        "Following through",
        "I follow through on what I say.",
        "My spouse follows through on what they say.",
    ),
    (
        "seeks",
        "Seeking the good of us",
        "I seek the good of our relationship.",
        "My spouse seeks the good of our relationship.",
    ),
    (
        "priority",
        "Putting us first",
        "Our relationship is a priority to me.",
        "Our relationship is a priority to my spouse.",
    ),
    (
        "avoids",
        "Avoiding harm",
        "I avoid what harms our relationship.",
        "My spouse avoids what harms our relationship.",
    ),
    (
        "works",
        "Working through problems",
        "I do my part to work through our problems.",
        "My spouse does their part to work through our problems.",
    ),
    (
        "invests",
        "Giving more than taking",
        "I give more to our relationship than I take.",
        "My spouse gives more to our relationship than they take.",
    ),
)
SIGN_KEYS = tuple(key for key, *_ in SIGNS)
SELF_FIELDS = tuple(f"self_{key}" for key in SIGN_KEYS)
SPOUSE_FIELDS = tuple(f"spouse_{key}" for key in SIGN_KEYS)


def _rating(statement: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=f"1 to 5, or empty if skipped: {statement}"
    )


def _all_or_none(fields: tuple[str, ...]) -> models.Q:
    """A column is rated whole or skipped whole: half a column would skew its average."""
    return models.Q(**{f"{field}__isnull": True for field in fields}) | models.Q(
        **{f"{field}__isnull": False for field in fields}
    )


class CheckIn(models.Model):
    """One spouse's ratings of the signs of trust on one day (one check-in per day).

    Each sign is rated twice: what the author sees in themselves (`self_*`) and what they
    see in their spouse (`spouse_*`). Either column may be skipped, whole, but not both.
    Scores are private unless this check-in is shared with the link (`shared_with`); the
    note is shared only if `note_shared` too. Sharing is chosen one check-in at a time.
    """

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins"
    )
    taken_on = models.DateField()
    self_says = _rating(SIGNS[0][2])
    self_follows = _rating(SIGNS[1][2])
    self_seeks = _rating(SIGNS[2][2])
    self_priority = _rating(SIGNS[3][2])
    self_avoids = _rating(SIGNS[4][2])
    self_works = _rating(SIGNS[5][2])
    self_invests = _rating(SIGNS[6][2])
    spouse_says = _rating(SIGNS[0][3])
    spouse_follows = _rating(SIGNS[1][3])
    spouse_seeks = _rating(SIGNS[2][3])
    spouse_priority = _rating(SIGNS[3][3])
    spouse_avoids = _rating(SIGNS[4][3])
    spouse_works = _rating(SIGNS[5][3])
    spouse_invests = _rating(SIGNS[6][3])
    note = EncryptedTextField(blank=True)
    shared_with = _shared_with_link()
    note_shared = models.BooleanField(
        default=False, help_text="The note is shared too (only while the scores are)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["taken_on"]
        constraints = [
            models.UniqueConstraint(fields=["author", "taken_on"], name="one_checkin_per_day"),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{field}__isnull": True})
                    | models.Q(**{f"{field}__gte": 1, f"{field}__lte": 5}),
                    name=f"checkin_{field}_1_to_5",
                )
                for field in SELF_FIELDS + SPOUSE_FIELDS
            ),
            models.CheckConstraint(
                condition=_all_or_none(SELF_FIELDS), name="checkin_self_rated_whole"
            ),
            models.CheckConstraint(
                condition=_all_or_none(SPOUSE_FIELDS), name="checkin_spouse_rated_whole"
            ),
            models.CheckConstraint(
                condition=models.Q(self_says__isnull=False) | models.Q(spouse_says__isnull=False),
                name="checkin_rates_someone",
            ),
        ]

    def __str__(self) -> str:
        # Never the note: this string can end up in logs and the admin.
        return f"check-in {self.pk} by user {self.author_id} on {self.taken_on}"

    @property
    def shared(self) -> bool:
        return self.shared_with_id is not None

    def note_visible_to(self, viewer) -> bool:
        """For a check-in from `CheckIn.objects.visible_to(viewer)`."""
        return viewer.pk == self.author_id or (self.shared and self.note_shared)

    @property
    def self_scores(self) -> list[int] | None:
        """The author's ratings of themselves, sign by sign; None if they skipped them."""
        scores = [getattr(self, field) for field in SELF_FIELDS]
        return None if None in scores else scores

    @property
    def spouse_scores(self) -> list[int] | None:
        """The author's ratings of their spouse, sign by sign; None if they skipped them."""
        scores = [getattr(self, field) for field in SPOUSE_FIELDS]
        return None if None in scores else scores

    @property
    def self_average(self) -> float | None:
        scores = self.self_scores
        return None if scores is None else sum(scores) / len(scores)

    @property
    def spouse_average(self) -> float | None:
        scores = self.spouse_scores
        return None if scores is None else sum(scores) / len(scores)

    @property
    def by_sign(self) -> list[tuple[str, int | None, int | None]]:
        """(short label, rating of me, rating of my spouse) for each sign."""
        return [
            (label, getattr(self, f"self_{key}"), getattr(self, f"spouse_{key}"))
            for key, label, _, _ in SIGNS
        ]


class Commitment(models.Model):
    """A small, concrete promise with a due date, kept or not by its author.

    A spouse can also propose one to their partner: it is then the partner's commitment
    (`author`), waiting as PROPOSED until they accept (OPEN) or decline. A proposal is
    shared with the link it was made in, and waits inside it (`proposed_in`): ending
    the link deletes the proposals still waiting.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed, waiting for an answer"
        DECLINED = "declined", "Declined"
        OPEN = "open", "Open"
        KEPT = "kept", "Kept"
        NOT_KEPT = "not_kept", "Not kept"

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commitments"
    )
    text = EncryptedTextField()
    due_on = models.DateField()
    shared_with = _shared_with_link()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome_note = EncryptedTextField(blank=True)
    marked_at = models.DateTimeField(null=True, blank=True)
    partner_confirmed_at = models.DateTimeField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments_proposed",
    )
    proposed_in = models.ForeignKey(
        "accounts.Couple",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="While a proposal waits for an answer: the link it waits in.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(partner_confirmed_at__isnull=True) | models.Q(status="kept"),
                name="commitment_confirmed_only_when_kept",
            ),
        ]

    def __str__(self) -> str:
        # Never the text: this string can end up in logs and the admin.
        return f"commitment {self.pk} by user {self.author_id} due {self.due_on} ({self.status})"

    @property
    def shared(self) -> bool:
        return self.shared_with_id is not None

    @property
    def is_marked(self) -> bool:
        return self.status in (self.Status.KEPT, self.Status.NOT_KEPT)

    @property
    def dated_in_the_past(self) -> bool:
        """Written after its own due date: allowed (a promise noted late), but flagged."""
        return self.due_on < timezone.localdate(self.created_at)


# --- What a couple exercise produces: agreements and plans, kept for both ---------------

AGREEMENT_TITLES = {
    "openness": "Our openness agreement",
    "triggers": "Our plan for when the pain comes back",
    "time-out": "Our time-out agreement",
}
assert tuple(AGREEMENT_TITLES) == AGREEMENTS  # the content check knows the same kinds


class Agreement(models.Model):
    """An agreement or plan a spouse writes down from a couple exercise (course.agreements).

    It is its writer's, private, until they offer it to the link (`shared_with`); the
    partner may then agree to it or write a change, which the other must agree to in
    turn. Every wording is an `AgreementVersion`, so earlier ones stay readable. Ending
    the link empties `shared_with` like every share: the agreement is its writer's again.
    """

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agreements"
    )
    kind = models.CharField(max_length=20, choices=list(AGREEMENT_TITLES.items()))
    shared_with = _shared_with_link()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["author", "kind"], name="one_agreement_of_a_kind")
        ]

    def __str__(self) -> str:
        # Never the text: this string can end up in logs and the admin.
        return f"agreement {self.pk} ({self.kind}) by user {self.author_id}"

    def get_absolute_url(self) -> str:
        return reverse("agreements:detail", args=[self.pk])

    @property
    def title(self) -> str:
        return AGREEMENT_TITLES.get(self.kind, "Our agreement")


class AgreementVersion(models.Model):
    """One wording of an agreement, with the date the two will look at it again.

    Written by either spouse; agreed only by the other one (`agreed_at`). A wording is
    seen by its writer, and by the partner while it is shared with the link they are
    both in (`shared_with`, set when it is offered): a draft written before the offer
    stays its writer's own."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = EncryptedTextField()
    review_on = models.DateField(help_text="When the two of you look at it again.")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    shared_with = _shared_with_link()
    written_at = models.DateTimeField(auto_now_add=True)
    agreed_at = models.DateTimeField(null=True, blank=True)

    objects = AgreementVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="one_row_per_wording")
        ]

    def __str__(self) -> str:
        return f"version {self.number} of agreement {self.agreement_id}"

    @property
    def agreed(self) -> bool:
        return self.agreed_at is not None

    @property
    def due_for_review(self) -> bool:
        return self.review_on <= timezone.localdate()


class StageOpened(models.Model):
    """A stage a spouse has reached. Once open, a stage stays open for them, even if
    new lessons are later added to a stage before it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stages_opened"
    )
    stage = models.ForeignKey(Stage, to_field="slug", on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "stage"], name="stage_opened_once")]

    def __str__(self) -> str:
        return f"user {self.user_id} reached {self.stage_id}"
