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

# Web stage: GraphiQL, built from web/ with exactly what web/package-lock.json locks.
# Only its output reaches the image; it is served when COOP_GRAPHIQL=true.
FROM node:20-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY web/tsconfig.json web/vite.config.ts ./
COPY web/graphiql ./graphiql
RUN npm run build

# Runtime stage: only the virtual environment and the built web files, run as an
# unprivileged user.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/venv/bin:$PATH
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin gateway
WORKDIR /app
COPY --from=build /venv /venv
COPY --from=web /web/dist /app/web/dist
ENV COOP_WEB_BUILD_DIR=/app/web/dist
USER gateway
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
# Configuration comes from COOP_* environment variables (see README.md).
CMD ["coop-gateway", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
