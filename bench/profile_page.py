"""Where does a page spend its time? Profiles one page in-process, as `make bench` sees it.

Run from the project folder:
    .venv/bin/python bench/profile_page.py /journal/ [--requests 50] [--anonymous]

It builds the same production-like site as the benchmark (bench/site.py: DEBUG off,
the couple with 200 answers each), signs in as the benchmark's spouse through the real
form, then requests the page through Django's test client under cProfile and prints the
functions with the most cumulative time, and the queries one request makes.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.site import PASSWORD, BenchSite, build_couple


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--anonymous", action="store_true")
    parser.add_argument("--lines", type=int, default=35)
    parser.add_argument("--time-only", action="store_true", help="skip the profile")
    parser.add_argument("--callers", help="also show who calls functions matching this")
    parser.add_argument("--sort", default="cumulative", help="or tottime, ncalls")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="trellis-profile-") as scratch:
        site = BenchSite(Path(scratch), settings_module="bench.settings")
        site.prepare()
        build_couple(site, answers=200)
        from django.db import connection
        from django.test import Client

        client = Client(HTTP_HOST="127.0.0.1")
        if not args.anonymous:
            signed = client.post(
                "/accounts/login/", {"login": "bench-a@example.test", "password": PASSWORD}
            )
            assert signed.status_code == 302, signed.status_code
        response = client.get(args.path)
        assert response.status_code == 200, response.status_code
        queries = []

        def log(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(log):
            client.get(args.path)
        # The best of five batches, in wall time and in this process's CPU time: the CPU
        # figure holds steady while the machine's neighbours come and go.
        batches, cpu_batches = [], []
        for _ in range(5):
            started, cpu_started = time.perf_counter(), time.process_time()
            for _ in range(args.requests):
                client.get(args.path)
            batches.append((time.perf_counter() - started) / args.requests * 1000)
            cpu_batches.append((time.process_time() - cpu_started) / args.requests * 1000)
        print(
            f"{args.path}: {min(batches):.2f} ms a request ({min(cpu_batches):.2f} ms of CPU),"
            " unprofiled, best of 5 batches"
        )
        if args.time_only:
            return 0
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            client.get(args.path)
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats(args.sort)
        stats.print_stats(args.lines)
        if args.callers:
            stats.print_callers(args.callers)
        print(f"{len(queries)} queries for one request of {args.path}:")
        for query in queries:
            print("  ", query[:160])
    return 0


if __name__ == "__main__":
    sys.exit(main())
