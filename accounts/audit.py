"""Record security-relevant events for the spouse's own activity page."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from accounts.models import AuditEvent

Kind = AuditEvent.Kind


def record(user, kind: str, request=None) -> None:
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    AuditEvent.objects.create(user=user, kind=kind, ip_address=ip or None)


# Sign-ins happen inside allauth and Django's auth; these receivers are the only seam.
@receiver(user_logged_in, dispatch_uid="trellis-audit-sign-in")
def _signed_in(sender, request, user, **kwargs) -> None:
    record(user, Kind.SIGNED_IN, request)


@receiver(user_login_failed, dispatch_uid="trellis-audit-sign-in-failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    email = credentials.get("email") or credentials.get("username") or ""
    user = get_user_model().objects.filter(email__iexact=email).first() if email else None
    if user is not None:
        record(user, Kind.SIGN_IN_FAILED, request)
