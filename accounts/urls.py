from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("where-you-stand/", views.role, name="role"),
    path("activity/", views.activity, name="activity"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("export.json", views.export, name="export"),
    path("delete/", views.delete, name="delete"),
]
