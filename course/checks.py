from django.conf import settings
from django.core.checks import Error, register

from course.content import load_course


@register("content")
def check_content(app_configs, **kwargs) -> list[Error]:
    """Every problem in content/ as one `path:line: message` error, all at once."""
    course = load_course(settings.CONTENT_DIR)
    return [Error(str(problem), id="trellis.E001") for problem in course.errors]
