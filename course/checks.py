from django.conf import settings
from django.core.checks import Error, register

from course.content import check_limits, load_course


@register("content")
def check_content(app_configs, **kwargs) -> list[Error]:
    """Every problem in content/ as one `path:line: message` error, all at once: the
    format (trellis.E001) first, then, when the format is sound, the course's size and
    shape (trellis.E002)."""
    course = load_course(settings.CONTENT_DIR)
    if course.errors:
        return [Error(str(problem), id="trellis.E001") for problem in course.errors]
    return [Error(str(problem), id="trellis.E002") for problem in check_limits(course)]
