"""Mounted twice in config/urls.py: /check-ins/ (namespace "checkins") and /commitments/
(namespace "commitments"), two faces of one concern: trust over time."""

from django.urls import path

from course.views import checkins as views

checkin_patterns = [
    path("", views.checkins, name="index"),
    path("new/", views.take, name="take"),
    path("sharing/", views.sharing, name="sharing"),
    path("<int:pk>/sharing/", views.share, name="share"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]

commitment_patterns = [
    path("", views.commitments, name="index"),
    path("new/", views.create, name="create"),
    path("propose/", views.propose, name="propose"),
    path("<int:pk>/", views.commitment, name="detail"),
    path("<int:pk>/mark/", views.mark, name="mark"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]

checkins = (checkin_patterns, "checkins")
commitments = (commitment_patterns, "commitments")
