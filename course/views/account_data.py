"""/account/export.json: everything a spouse has in Trellis, in one file.

It lives in `course` because most of it is course data; `accounts` never reaches into
course models (config/urls.py mounts it under /account/)."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts import audit
from accounts.decorators import login_required
from accounts.downloads import reauthenticate_then_return
from accounts.models import AuditEvent, Invitation
from course.exports import course_data


@never_cache
@login_required
@reauthenticate_then_return(back_to="accounts:account")
@require_safe
def export(request: HttpRequest) -> HttpResponse:
    user = request.user
    data = {
        "format": "trellis-account-1",
        "exported_at": timezone.now(),
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "date_joined": user.date_joined,
            "notify_by_email": user.notify_by_email,
            "progress_shown": user.progress_shown,
            "time_zone": user.time_zone,
            "role": user.role,
        },
        **course_data(user),
        "invitations_sent": list(
            Invitation.objects.filter(inviter=user).values(
                "status", "sent_to", "created_at", "expires_at"
            )
        ),
        "activity": list(
            AuditEvent.objects.filter(user=user).values("kind", "ip_address", "created_at")
        ),
    }
    audit.record(user, audit.Kind.EXPORTED, request)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="trellis-account.json"'
    return response
