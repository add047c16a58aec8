from django.urls import path

from accounts import reminder_views, views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("where-you-stand/", views.role, name="role"),
    path("reminders/", reminder_views.reminder_settings, name="reminders"),
    path("activity/", views.activity, name="activity"),
    path("notices/<int:notice_id>/dismiss/", views.dismiss_notice, name="dismiss_notice"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("delete/", views.delete, name="delete"),
]
