"""The page for a request Django could not read (handler400) and how such requests
are logged."""

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's own 400 view checks the CSRF token first, which reads the body again; a
    body that could not be read the first time (a form in UTF-16, say) then fails a
    second time inside the error page and becomes a 500. This one never reads the body.
    """
    return render(request, "400.html", status=400)


class LogFormatter(logging.Formatter):
    """One line for a request the client got wrong (4xx), with no traceback.

    Django logs bad bodies, unknown hosts and the like with the exception attached; its
    traceback says nothing about our code and buries the 5xx tracebacks that do.
    Server errors keep theirs.
    """

    def format(self, record: logging.LogRecord) -> str:
        if 400 <= getattr(record, "status_code", 0) < 500 and record.exc_info:
            record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        return super().format(record)
