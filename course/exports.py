"""Everything a spouse wrote in the course, for the account-wide export.

The course side offers this so that `accounts` never reaches into course models.
"""

from course.models import Answer, AnswerVersion, Completion


def course_data(user) -> dict:
    versions: dict[int, list[dict]] = {}
    for version in AnswerVersion.objects.filter(answer__author=user).order_by("version"):
        versions.setdefault(version.answer_id, []).append(
            {"version": version.version, "text": version.text, "saved_at": version.saved_at}
        )
    answers = [
        {
            "prompt_id": answer.prompt_id,
            "question": answer.prompt.text,
            "lesson_id": answer.prompt.lesson.slug,
            "answer": answer.text,
            "sharing": answer.sharing,
            "version": answer.version,
            "created_at": answer.created_at,
            "updated_at": answer.updated_at,
            "history": versions.get(answer.pk, []),
        }
        for answer in Answer.objects.filter(author=user).select_related("prompt__lesson")
    ]
    progress = [
        {"lesson_id": lesson_id, "completed_at": completed_at}
        for lesson_id, completed_at in Completion.objects.filter(user=user).values_list(
            "lesson_id", "completed_at"
        )
    ]
    return {"answers": answers, "progress": progress}
