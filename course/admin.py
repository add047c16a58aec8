"""The admin is for content and accounts. Journal answers, check-in notes, commitments
and agreements are deliberately not registered: staff cannot list, search or read them."""

from django.contrib import admin

from course.models import Lesson, Prompt, Stage


class ReadOnlyContentAdmin(admin.ModelAdmin):
    """Content is edited in content/ and published with sync_content, not here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Stage)
class StageAdmin(ReadOnlyContentAdmin):
    list_display = ["title", "slug", "order", "retired_at"]


@admin.register(Lesson)
class LessonAdmin(ReadOnlyContentAdmin):
    list_display = ["title", "slug", "stage", "order", "reading_minutes", "retired_at"]
    list_filter = ["stage", "retired_at"]
    search_fields = ["title", "slug"]
    exclude = ["parts"]


@admin.register(Prompt)
class PromptAdmin(ReadOnlyContentAdmin):
    list_display = ["slug", "lesson", "order", "retired_at"]
    search_fields = ["slug", "text"]
