"""POST /quick-exit/: what the page sends as the writer leaves it in a hurry."""

from allauth.account.adapter import get_adapter
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.decorators import login_required, written_by_someone_else
from course.journal import record_sharing
from course.quick_exit import LeavingDrafts, save_before_leaving


@never_cache
@login_required
@require_POST
@sensitive_post_parameters()
def quick_exit(request: HttpRequest) -> JsonResponse:
    """Save the drafts the page carried, then sign out (unless the person chose to stay
    signed in), through allauth's own logout so its signals and session list follow.

    The answer says which questions are saved: the browser forgets only those drafts.
    A malformed draft is not saved (its words stay in the browser); leaving always works."""
    drafts = LeavingDrafts(request.POST, prefix="draft")
    user = request.user
    # None of another writer's words land here; they stay in the browser for them.
    readable = not written_by_someone_else(request) and drafts.management_form.is_valid()
    valid = [form.cleaned_data for form in drafts.forms if form.is_valid()] if readable else []
    leaving = save_before_leaving(author=user, drafts=valid)
    for result in leaving.results:
        record_sharing(user, result)
    signed_out = not user.quick_exit_stays_signed_in
    if signed_out:
        get_adapter(request).logout(request)
    return JsonResponse({"saved": leaving.saved, "signed_out": signed_out})
