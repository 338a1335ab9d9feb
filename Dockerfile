# syntax=docker/dockerfile:1
# Build stage: a virtual environment holding exactly what uv.lock pins, built once.
FROM python:3.11-slim AS build
# The same uv as the Makefile's UV_VERSION.
RUN python -m pip install --no-cache-dir uv==0.13.9
WORKDIR /src
COPY pyproject.toml uv.lock README.md ./
COPY adapters ./adapters
COPY gateway ./gateway
COPY simulators ./simulators
COPY migrations ./migrations
# --locked: a stale lock fails the build. --no-editable: coop-gateway and coop-adapters
# are installed into /venv like any other package, so the sources are not needed later.
# The runtime stage has the same Python at the same path, which the venv points to.
ENV UV_PROJECT_ENVIRONMENT=/venv UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy UV_NO_CACHE=1
RUN uv sync --locked --no-dev --no-editable --python /usr/local/bin/python3.11

# Runtime stage: only the virtual environment, run as an unprivileged user.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/venv/bin:$PATH
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin gateway
WORKDIR /app
COPY --from=build /venv /venv
USER gateway
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
# Configuration comes from COOP_* environment variables (see README.md).
CMD ["coop-gateway", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
