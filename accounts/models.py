import datetime
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models


class UserManager(BaseUserManager):
    """People sign in with their email address; there are no usernames."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class Role(models.TextChoices):
    """Where a spouse stands, in their own words. Theirs alone: never shown to the partner."""

    HURT = "hurt", "I was hurt"
    BROKE = "broke", "I broke trust"
    MUTUAL = "mutual", "We have both hurt each other"
    BUILDING = "building", "No breach: we want to build trust"


class User(AbstractUser):
    class ProgressShown(models.TextChoices):
        STAGES = "stages", "How far I am in each stage"
        FINISHED = "finished", "Only the stages I have finished"
        NOTHING = "nothing", "Nothing"

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(
        max_length=60,
        help_text="What your partner sees when you link your accounts.",
    )
    notify_by_email = models.BooleanField(
        default=False,
        help_text="Email me when my spouse shares an answer or finishes a stage. "
        "Emails never contain journal text.",
    )
    role = models.CharField(
        max_length=10,
        choices=Role.choices,
        blank=True,
        help_text="Where this spouse stands, chosen privately; blank if they would rather "
        "not say. Never shown to the partner.",
    )
    role_asked_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When this spouse answered or skipped the question, so it is asked once.",
    )

    progress_shown = models.CharField(
        "What my spouse sees of my progress",
        max_length=10,
        choices=ProgressShown.choices,
        default=ProgressShown.STAGES,
        help_text="Lessons marked private, such as the one on when this course is not "
        "enough, never show, whatever you choose.",
    )

    time_zone = models.CharField(
        "Your time zone",
        max_length=64,
        blank=True,
        help_text="Times in Trellis are shown in it. Empty: the site's own time zone.",
    )

    quick_exit_stays_signed_in = models.BooleanField(
        "Stay signed in after a quick exit",
        default=False,
        help_text="Off: a quick exit saves what you were writing, then signs you out, so "
        "the Back button shows nothing. On: you stay signed in on this device.",
    )
    discreet_tab = models.BooleanField(
        "Keep the browser tab discreet",
        default=False,
        help_text="Every page is titled “Notes”, with a plain icon, so your tabs and "
        "history show nothing telling. Page addresses still appear in your history; "
        "a private window keeps none.",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class Couple(models.Model):
    """Two spouses who chose to link their accounts. Unlinking deletes the row."""

    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"couple {self.pk}"


class Membership(models.Model):
    """A spouse's place in a couple; one couple at a time (the one-to-one says so)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="members")
    walk_together = models.BooleanField(
        default=False,
        help_text="This spouse wants the next stage to open only when both have finished.",
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"user {self.user_id} in couple {self.couple_id}"


class Invitation(models.Model):
    """An invitation to link, usable once, by link or by short code, for a limited time.

    Only hashes of the link token and the code are stored: whoever reads the database
    cannot use a pending invitation.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"

    inviter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations_sent")
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64, unique=True)
    sent_to = models.EmailField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    answered_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation {self.pk} from user {self.inviter_id} ({self.status})"


class Notice(models.Model):
    """Something new for one person, shown on their home page until they dismiss it.

    It never holds what anyone wrote, only what kind of thing happened. Notices about
    something in a link (a share, a reply, a proposal) belong to that link and go with
    it. One notice a kind: a second event of the same kind moves the first one's time.
    """

    class Kind(models.TextChoices):
        SHARED = "shared", "A new shared answer"
        REPLIED = "replied", "A new reply"
        PROPOSED = "proposed", "A proposed commitment"
        LINKED = "linked", "Accounts linked"
        UNLINKED = "unlinked", "Accounts unlinked"
        KEPT_IN_BROWSER = "kept", "Words kept in the browser at a quick exit"
        WAITING = "waiting", "Waiting for each other at a stage"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notices")
    couple = models.ForeignKey(
        Couple, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    about = models.CharField(
        max_length=100,
        blank=True,
        help_text="Which one, for a kind that can come back: the stage a spouse waits after.",
    )
    created_at = models.DateTimeField()
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Noted as it is found, by any page load: two at once still make one.
            models.UniqueConstraint(
                fields=["user", "couple", "about"],
                condition=models.Q(kind="waiting"),
                name="one_wait_notice_per_stage",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} notice for user {self.user_id}"


class AuditEvent(models.Model):
    """A security-relevant event, shown to its spouse. Never holds anything they wrote."""

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in attempt"
        SIGNED_OUT_EVERYWHERE = "signed_out_everywhere", "Signed out everywhere"
        LINKED = "linked", "Linked accounts with your spouse"
        UNLINKED = "unlinked", "Accounts unlinked"
        SHARED = "shared", "Shared an answer"
        WITHDRAWN = "withdrawn", "Made a shared answer private again"
        EXPORTED = "exported", "Downloaded your data"
        DELETED = "deleted", "Account deleted"

    user = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} for user {self.user_id} at {self.created_at:%Y-%m-%d %H:%M}"


class Reminder(models.Model):
    """A gentle email on the days and at the time a spouse chose, in their own time zone.

    Off until they turn it on. `last_sent_for` is the slot (the chosen day and time, as an
    instant) the last email went out for: a sender claims a slot by moving it forward in
    one UPDATE, so two senders never send the same slot twice.
    """

    class Day(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="reminder")
    enabled = models.BooleanField(default=False)
    time_of_day = models.TimeField(default=datetime.time(19, 0))
    days = models.CharField(
        max_length=7,
        blank=True,
        help_text="The chosen weekdays as digits, Monday 0 to Sunday 6: “03” is Monday "
        "and Thursday.",
    )
    last_sent_for = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"reminder of user {self.user_id}"

    @property
    def weekdays(self) -> set[int]:
        return {int(day) for day in self.days}

    def days_label(self) -> str:
        """The chosen days in words: "every day", "Monday", "Monday and Thursday"."""
        if len(self.weekdays) == len(self.Day):
            return "every day"
        names = [self.Day(day).label for day in sorted(self.weekdays)]
        if len(names) < 2:
            return "".join(names)
        return ", ".join(names[:-1]) + " and " + names[-1]

    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.user.time_zone or settings.TIME_ZONE)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def slot_today(self, now: datetime.datetime) -> datetime.datetime | None:
        """Today's reminder time (today as the spouse's own calendar says), if today is
        one of their days; None otherwise."""
        local = now.astimezone(self.zone())
        if local.weekday() not in self.weekdays:
            return None
        return datetime.datetime.combine(local.date(), self.time_of_day, tzinfo=local.tzinfo)

    def due_slot(self, now: datetime.datetime) -> datetime.datetime | None:
        """The slot to send now, if any: today's, once its time has come and until it is
        sent. A slot from an earlier day is never sent late."""
        if not self.enabled:
            return None
        slot = self.slot_today(now)
        if slot is None or slot > now:
            return None
        if self.last_sent_for is not None and self.last_sent_for >= slot:
            return None
        return slot
