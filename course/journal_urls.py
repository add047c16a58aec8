from django.urls import path

from course.views import journal

app_name = "journal"
urlpatterns = [
    path("", journal.index, name="index"),
    path("export.json", journal.export_json, name="export_json"),
    path("export.md", journal.export_markdown, name="export_markdown"),
    path("workbook/", journal.workbook, name="workbook"),
    path("<slug:slug>/", journal.answer, name="answer"),
    path("<slug:slug>/share/", journal.share, name="share"),
    path("<slug:slug>/history/", journal.history, name="history"),
    path("<slug:slug>/history/<int:version>/restore/", journal.restore, name="restore"),
]
