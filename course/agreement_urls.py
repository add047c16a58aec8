"""/agreements/: what couple exercises produce, kept for both (course.agreements)."""

from django.urls import path

from course.views import agreements as views

app_name = "agreements"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/<slug:kind>/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/change/", views.change, name="change"),
    path("<int:pk>/offer/", views.offer, name="offer"),
    path("<int:pk>/take-back/", views.take_back, name="take_back"),
    path("<int:pk>/agree/", views.agree, name="agree"),
    path("<int:pk>/step-back/", views.step_back, name="step_back"),
]
