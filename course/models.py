"""The course as mirrored from content/, and what each spouse does in it.

Stage, Lesson and Prompt rows are written only by `sync_content`; their `slug` is the
stable id from the Markdown front matter, so progress and journal rows point at it and
survive renames, retitles and reordering.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse


class ContentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(retired_at__isnull=True)


class Stage(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    order = models.PositiveIntegerField()
    description = models.TextField(blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = ContentQuerySet.as_manager()

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
    body_html = models.TextField(help_text="Rendered and sanitised once, at sync.")
    your_turn_intro = models.TextField(blank=True)
    word_count = models.PositiveIntegerField(default=0)
    reading_minutes = models.PositiveIntegerField(default=1)
    public = models.BooleanField(
        default=False, help_text="Open to everyone, signed in or not, whatever their progress."
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
