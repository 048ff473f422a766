"""Gunicorn settings of the bare endpoint: intake's own, only the app differs."""

from shared.gunicorn_hooks import *  # noqa: F403 - gunicorn reads the settings as module names
from shared.gunicorn_hooks import bind_for

bind = bind_for(8001)
wsgi_app = "bench.bare_app:create_app()"
