"""Line charts drawn on the server as inline SVG: no chart library, no third-party request.

The CSP forbids inline styles, so nothing here writes a `style` attribute or element:
shapes carry presentation attributes (`fill`, `stroke`, `stroke-dasharray`) as a plain
fallback and classes that static/css/site.css colours (light, dark and print). Lines
differ by dash pattern as well as colour, so they can be told apart without colour.

The chart is one image to assistive technology (`role="img"`, named by its <title> and
<desc>); the page always shows the same numbers in a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

DOTS_UP_TO = 60  # beyond this many points, dots only clutter the line
DASHES = ("", "7 4", "2 4", "10 4 2 4")


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[date, float]]  # in date order
    css: str = "0"  # `chart-line-<css>`: which colour the stylesheet gives it


def short_date(day: date, with_year: bool) -> str:
    return f"{day.day} {day:%b %Y}" if with_year else f"{day.day} {day:%b}"


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def describe(series: Sequence[Series], y_max: int) -> str:
    """What the chart shows, in words, for its <desc>."""
    parts = []
    for line in series:
        if not line.points:
            parts.append(f"{line.label}: no check-ins.")
            continue
        values = [value for _, value in line.points]
        count = len(values)
        span = (
            f"on {long_date(line.points[0][0])}"
            if count == 1
            else f"from {long_date(line.points[0][0])} to {long_date(line.points[-1][0])}"
        )
        parts.append(
            f"{line.label}: {count} check-in{'s' if count != 1 else ''} {span}; "
            f"latest {values[-1]:.1f} of {y_max}, lowest {min(values):.1f}, "
            f"highest {max(values):.1f}."
        )
    return " ".join(parts)


def line_chart(
    series: Sequence[Series],
    *,
    chart_id: str,
    title: str,
    description: str = "",
    width: int = 640,
    height: int = 240,
    y_min: int = 1,
    y_max: int = 5,
    legend: bool = True,
) -> SafeString:
    """An SVG line chart of values between `y_min` and `y_max` over dates.

    Every label is escaped here, so callers may pass names people typed.
    """
    series = [line for line in series if line.points] or list(series)
    days = [day for line in series for day, _ in line.points]
    first, last = (min(days), max(days)) if days else (date.min, date.min)
    span = (last - first).days
    legend_height = 24 if legend and len(series) > 1 else 0
    left, right, top, bottom = 34, 14, 12 + legend_height, 26
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(day: date) -> float:
        return left + plot_w / 2 if span == 0 else left + (day - first).days * plot_w / span

    def y(value: float) -> float:
        return top + (y_max - value) * plot_h / (y_max - y_min)

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" focusable="false">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description or describe(series, y_max))}</desc>',
        '<g class="chart-grid" stroke="currentColor" stroke-width="1">',
    ]
    for value in range(y_min, y_max + 1):
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
        )
    out.append('</g><g class="chart-label" fill="currentColor" font-size="12">')
    for value in range(y_min, y_max + 1):
        out.append(f'<text x="{left - 8}" y="{y(value) + 4:.1f}" text-anchor="end">{value}</text>')
    with_year = first.year != last.year
    ticks = (
        [] if not days else [(first, "middle")] if span == 0 else [(first, "start"), (last, "end")]
    )
    for tick, anchor in ticks:
        label = escape(short_date(tick, with_year))
        out.append(
            f'<text x="{x(tick):.1f}" y="{height - 6}" text-anchor="{anchor}">{label}</text>'
        )
    out.append("</g>")

    if legend_height:
        out.append('<g class="chart-legend" font-size="13">')
        at = left
        for index, line in enumerate(series):
            dash = DASHES[index % len(DASHES)]
            out.append(
                f'<line class="chart-line chart-line-{escape(line.css)}" x1="{at}" x2="{at + 24}" '
                f'y1="12" y2="12" stroke="currentColor" stroke-width="3" fill="none"'
                + (f' stroke-dasharray="{dash}"' if dash else "")
                + "/>"
            )
            out.append(
                f'<text class="chart-label" x="{at + 30}" y="16" fill="currentColor">'
                f"{escape(line.label)}</text>"
            )
            at += 30 + 8 * len(line.label) + 24
        out.append("</g>")

    for index, line in enumerate(series):
        css = escape(line.css)
        dash = DASHES[index % len(DASHES)]
        coords = [(x(day), y(value)) for day, value in line.points]
        if len(coords) > 1:
            points = " ".join(f"{px:.1f},{py:.1f}" for px, py in coords)
            out.append(
                f'<polyline class="chart-line chart-line-{css}" points="{points}" '
                'fill="none" stroke="currentColor" stroke-width="2.5" stroke-linejoin="round"'
                + (f' stroke-dasharray="{dash}"' if dash else "")
                + "/>"
            )
        if len(coords) <= DOTS_UP_TO:
            out.append(f'<g class="chart-dot chart-dot-{css}" fill="currentColor">')
            out.extend(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5"/>' for px, py in coords)
            out.append("</g>")
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308  (every interpolated label is escaped above)
