from django.urls import path

from course.views import lessons

app_name = "course"
urlpatterns = [
    path("", lessons.outline, name="outline"),
    path("<slug:slug>/", lessons.lesson, name="lesson"),
    path("<slug:slug>/complete/", lessons.complete, name="complete"),
    path("<slug:slug>/undo/", lessons.undo_complete, name="undo"),
]
