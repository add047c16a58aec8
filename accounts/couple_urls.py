from django.urls import path

from accounts import couple_views as views

app_name = "us"
urlpatterns = [
    path("", views.us, name="index"),
    path("invite/", views.invite, name="invite"),
    path("invitations/<int:invitation_id>/cancel/", views.cancel, name="cancel"),
    path("join/<str:token>/", views.join, name="join"),
    path("code/", views.enter_code, name="code"),
    path("answer/", views.answer_invitation, name="answer"),
    path("walk-together/", views.walk_together, name="walk_together"),
    path("unlink/", views.unlink, name="unlink"),
]
