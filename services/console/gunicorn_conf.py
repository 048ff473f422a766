"""Gunicorn configuration of the console (gunicorn -c python:services.console.gunicorn_conf).

The settings and hooks are the suite's own (shared.gunicorn_hooks); only the port and the app
differ per service.
"""

from shared.gunicorn_hooks import *  # noqa: F403 - gunicorn reads the settings as module names
from shared.gunicorn_hooks import bind_for

bind = bind_for(8000)
wsgi_app = "services.console.app:create_app()"
