"""Everything a spouse wrote in the course, for the account-wide export.

Served by course.views.account_data, so that `accounts` never reaches into course models.
"""

from django.db.models import Q

from course.models import (
    SIGN_KEYS,
    AgreementVersion,
    Answer,
    AnswerVersion,
    CheckIn,
    Commitment,
    Completion,
    Reply,
)


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
            "sharing": answer.current_sharing,
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
    checkins = [
        {
            "taken_on": checkin.taken_on,
            # What the author sees in themselves and in their spouse; null where skipped.
            "about_me": {key: getattr(checkin, f"self_{key}") for key in SIGN_KEYS},
            "about_my_spouse": {key: getattr(checkin, f"spouse_{key}") for key in SIGN_KEYS},
            "note": checkin.note,
            "shared": checkin.shared,
            "note_shared": checkin.shared and checkin.note_shared,
        }
        for checkin in CheckIn.objects.filter(author=user).order_by("taken_on")
    ]
    commitments = [
        {
            "text": commitment.text,
            "due_on": commitment.due_on,
            "shared": commitment.shared,
            "status": commitment.status,
            "outcome_note": commitment.outcome_note,
            "marked_at": commitment.marked_at,
            "partner_confirmed_at": commitment.partner_confirmed_at,
            "created_at": commitment.created_at,
        }
        for commitment in Commitment.objects.filter(author=user).order_by("due_on")
    ]
    replies = [
        {
            "to_prompt_id": reply.answer.prompt_id,
            "kind": reply.kind,
            "text": reply.text,
            "created_at": reply.created_at,
            "in_current_link": reply.shared_with_id is not None,
        }
        for reply in Reply.objects.filter(author=user).select_related("answer")
    ]
    # Every wording this spouse wrote, in their own agreements or in ones offered to them,
    # and every wording of their own agreements they can still read.
    wordings = AgreementVersion.objects.visible_to(user).filter(
        Q(written_by=user) | Q(agreement__author=user)
    )
    agreements = [
        {
            "agreement": version.agreement.title,
            "written_down_by_me": version.agreement.author_id == user.pk,
            "version": version.number,
            "written_by_me": version.written_by_id == user.pk,
            "text": version.text,
            "review_on": version.review_on,
            "written_at": version.written_at,
            "agreed_at": version.agreed_at,
            "offered": version.agreement.shared_with_id is not None,
        }
        for version in wordings.select_related("agreement").order_by("agreement", "number")
    ]
    return {
        "answers": answers,
        "agreements": agreements,
        "replies": replies,
        "progress": progress,
        "checkins": checkins,
        "commitments": commitments,
    }
