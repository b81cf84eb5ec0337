# The service's image: `docker build -t contract-first-api .` (README "Running in containers").
#
# BASE is any Debian-like image with Python >= 3.11 and its venv module: python:3.12-slim
# (python at /usr/local/bin) by default, or, where no registry is reachable, a debootstrapped
# Debian with python3 and python3-venv (python at /usr/bin), as tests/container/ builds it.
# Only the name `python3` is used, which both have, and the image sets its own PATH because an
# imported root file system comes with no environment at all.
ARG BASE=python:3.12-slim

FROM ${BASE} AS build
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore
# The runtime stage copies this virtualenv as is: its interpreter is a symlink to the base's
# python3, at the same path in both stages because both stages start from the same BASE.
RUN python3 -m venv /opt/venv
WORKDIR /build
# The dependencies first, from pyproject.toml alone, in a layer of their own: a change to the
# code rebuilds only the last layer. tomllib is in the standard library from Python 3.11.
#
# Behind a TLS-intercepting proxy (this project's CI machines), pip needs that proxy's CA:
# `--secret id=pip_ca,src=/etc/ssl/certs/ca-certificates.crt` lends the bundle to these two
# steps only (a secret mount: never in a layer); without it pip uses its own bundle.
COPY pyproject.toml ./
RUN --mount=type=secret,id=pip_ca \
    if [ -s /run/secrets/pip_ca ]; then export PIP_CERT=/run/secrets/pip_ca; fi \
    && /opt/venv/bin/python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' > requirements.txt \
    && /opt/venv/bin/pip install --requirement requirements.txt
# Then the project itself, as a wheel (not editable: nothing of /build is in the runtime image).
# README.md is the package's long description (pyproject.toml `readme`).
COPY README.md ./
COPY generated/ generated/
COPY src/ src/
RUN --mount=type=secret,id=pip_ca \
    if [ -s /run/secrets/pip_ca ]; then export PIP_CERT=/run/secrets/pip_ca; fi \
    && /opt/venv/bin/pip install --no-deps . \
    && /opt/venv/bin/python -c 'import app.main, contract.models'


FROM ${BASE} AS runtime
# APP_VAR_DIR: the dev secret (when APP_SECRET_KEY is empty) and the SQLite database (when
# APP_DATABASE_URL is) go to a volume, not the container's writable layer.
ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    APP_VAR_DIR=/var/lib/app
# A fixed uid/gid, so that a bind-mounted var directory can be chowned to it ahead of time.
RUN groupadd --gid 10001 app \
    && useradd --uid 10001 --gid app --home-dir /var/lib/app --no-create-home \
       --shell /usr/sbin/nologin app \
    && mkdir -p /var/lib/app \
    && chown app:app /var/lib/app \
    && chmod 0700 /var/lib/app
# Owned by root: the service cannot change its own code.
COPY --from=build /opt/venv /opt/venv
VOLUME ["/var/lib/app"]
USER app:app
WORKDIR /var/lib/app
EXPOSE 8000
# SIGTERM drains, then stops (README "Running in production"): give the container
# APP_SHUTDOWN_DRAIN_S + APP_SHUTDOWN_GRACE_S + a few seconds (`docker stop --time 30`,
# Compose's stop_grace_period), more than Docker's default 10 s.
STOPSIGNAL SIGTERM
# No curl in slim images: the venv's python asks. 127.0.0.1 reaches the server however it is
# published; `Host: localhost` is in APP_ALLOWED_HOSTS' default, so keep `localhost` there when
# naming the public host names (any other Host answers 400, and the container turns unhealthy).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request as u; r = u.urlopen(u.Request('http://127.0.0.1:8000/health/ready', headers={'Host': 'localhost'}), timeout=4); sys.exit(r.status != 200)"]
# Exec form, so that SIGTERM reaches the server. `docker run IMAGE migrate` applies migrations;
# `docker run IMAGE serve --host 0.0.0.0 --port 8000 --workers 4` runs several workers.
ENTRYPOINT ["python", "-m", "app"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
