"""The production settings plus one bench-only URL: a view that does no work.

Only `make bench` uses this module; the site itself never serves /bench/bare.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
