"""/us/: the couple's page (course.views.us) and linking (accounts.couple_views)."""

from django.urls import path

from accounts import couple_views
from course.views import us

app_name = "us"
urlpatterns = [
    path("", us.us, name="index"),
    path("answers/<int:answer_id>/reply/", us.reply, name="reply"),
    path("invite/", couple_views.invite, name="invite"),
    path("invitation/", couple_views.invitation_created, name="invitation_created"),
    path("invitations/<int:invitation_id>/cancel/", couple_views.cancel, name="cancel"),
    path("join/<str:token>/", couple_views.join, name="join"),
    path("code/", couple_views.enter_code, name="code"),
    path("answer/", couple_views.answer_invitation, name="answer"),
    path("walk-together/", couple_views.walk_together, name="walk_together"),
    path("unlink/", couple_views.unlink, name="unlink"),
]
