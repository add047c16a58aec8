from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts import urls as account_urls
from course import checkin_urls
from course.views import account_data, pages, quick_exit, safety

# /account/ holds accounts' pages and the course's export of everything a spouse wrote,
# under one name, so that `accounts` never reaches into course data.
account_patterns = [
    *account_urls.urlpatterns,
    path("export.json", account_data.export, name="export"),
]

# Staff sign in through allauth's form, with its limits on wrong passwords (and two-factor
# if they set it up); the admin's own form would take any number of guesses.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", pages.healthz, name="healthz"),
    path("start/", pages.start, name="start"),
    path("about/", pages.about, name="about"),
    path("privacy/", pages.privacy, name="privacy"),
    # Open to everyone, signed in or not: it stores nothing (course.views.safety).
    path("safety-check/", safety.safety_check, name="safety_check"),
    path("quick-exit/", quick_exit.quick_exit, name="quick_exit"),
    path("course/", include("course.urls")),
    path("journal/", include("course.journal_urls")),
    path("check-ins/", include(checkin_urls.checkins)),
    path("commitments/", include(checkin_urls.commitments)),
    path("us/", include("course.us_urls")),
    path("agreements/", include("course.agreement_urls")),
    path("account/", include((account_patterns, account_urls.app_name))),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "config.errors.bad_request"
