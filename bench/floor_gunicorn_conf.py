"""Gunicorn settings of the intake ceilings: intake's own, only the app differs
(``PANTAU_BENCH_APP``: ``durable`` or ``naive``, see bench/floor_app.py)."""

import os

from shared.gunicorn_hooks import *  # noqa: F403 - gunicorn reads the settings as module names
from shared.gunicorn_hooks import bind_for

bind = bind_for(8001)
wsgi_app = f"bench.floor_app:create_{os.environ.get('PANTAU_BENCH_APP', 'durable')}_app()"
