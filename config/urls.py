from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from course import checkin_urls
from course.views import pages

# Staff sign in through allauth's form, with its limits on wrong passwords (and two-factor
# if they set it up); the admin's own form would take any number of guesses.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", pages.healthz, name="healthz"),
    path("course/", include("course.urls")),
    path("journal/", include("course.journal_urls")),
    path("check-ins/", include(checkin_urls.checkins)),
    path("commitments/", include(checkin_urls.commitments)),
    path("us/", include("accounts.couple_urls")),
    path("account/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "config.errors.bad_request"
