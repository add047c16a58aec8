"""Record security-relevant events for the spouse's own activity page."""

from allauth.account.adapter import get_adapter
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from accounts.models import AuditEvent

Kind = AuditEvent.Kind


def record(user, kind: str, request=None) -> None:
    ip = client_address(request) if request is not None else None
    AuditEvent.objects.create(user=user, kind=kind, ip_address=ip)


def client_address(request) -> str | None:
    """The visitor's address as allauth's limits see it (through ALLAUTH_TRUSTED_PROXY_COUNT
    proxies), so the activity page shows the spouse's address, not the proxy's."""
    try:
        return get_adapter().get_client_ip(request)
    except PermissionDenied:  # no address allauth could read
        return None


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
