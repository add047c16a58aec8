"""How long does drawing the check-in charts take for 200 check-ins?

Run from the project folder:  .venv/bin/python bench/chart_bench.py [--checkins N] [--runs R]

It builds N check-ins in memory (one every few days, no database), then times, R times each:

- the overall chart: one SVG line of the average of the seven signs;
- the whole history page's charts: the overall one and the seven small ones per sign;
- the couple chart on /us/: two spouses' lines on one SVG.

It prints the median of the runs as a Markdown table and exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 50.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkins", type=int, default=200)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from course.charts import Series, line_chart
    from course.checkins import history_charts
    from course.models import SELF_FIELDS, SPOUSE_FIELDS, CheckIn

    rng = random.Random(7)  # noqa: S311  (test data, not secrets)
    start = date(2024, 1, 1)

    def checkins(author_id: int) -> list[CheckIn]:
        return [
            CheckIn(
                author_id=author_id,
                taken_on=start + timedelta(days=3 * number + rng.randrange(3)),
                **{field: rng.randint(1, 5) for field in SELF_FIELDS + SPOUSE_FIELDS},
            )
            for number in range(args.checkins)
        ]

    mine, theirs = checkins(1), checkins(2)

    def couple() -> str:
        return line_chart(
            [
                Series("You", [(c.taken_on, c.self_average) for c in mine], "overall"),
                Series("Your spouse", [(c.taken_on, c.self_average) for c in theirs], "partner"),
            ],
            chart_id="chart-us",
            title="Trust check-ins over time: you and your spouse",
        )

    cases = {
        "overall chart": lambda: line_chart(
            [Series("Average", [(c.taken_on, c.self_average) for c in mine])],
            chart_id="chart-overall",
            title="Your trust check-ins over time",
        ),
        "history page, 8 charts of 2 lines": lambda: history_charts(mine),
        "couple chart, 2 lines": couple,
    }

    print(f"\n{args.checkins} check-ins, median of {args.runs} runs\n")
    print("| chart | median ms | target | size |")
    print("|---|---:|---:|---:|")
    missed = []
    for label, draw in cases.items():
        timings = []
        for _ in range(args.runs):
            began = time.perf_counter()
            drawn = draw()
            timings.append((time.perf_counter() - began) * 1000)
        median = statistics.median(timings)
        if median > TARGET_MS:
            missed.append(label)
        svg = drawn if isinstance(drawn, str) else drawn[0] + "".join(s.svg for s in drawn[1])
        print(f"| {label} | {median:.2f} | ≤ {TARGET_MS:g} | {len(svg) / 1024:.0f} KiB |")
    if missed:
        print(f"\nMISSED: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
