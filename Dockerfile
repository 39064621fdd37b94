# One image for all four Lianxin services (intake, dispatch, supervision,
# scoring). Which service a container runs is chosen by its command:
#
#   docker run lianxin:latest run intake
#
# Health checks live in docker-compose.yml, per service, because each service
# listens on its own HTTP port and an image-level HEALTHCHECK cannot know which.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app

# Unprivileged runtime user with a fixed numeric id, so orchestrators that
# enforce runAsNonRoot can verify it without reading /etc/passwd.
RUN groupadd --system --gid 10001 lianxin \
 && useradd --system --uid 10001 --gid lianxin --home-dir /app \
        --no-create-home --shell /usr/sbin/nologin lianxin

# README* is optional (the wildcard may match nothing); it is copied in case
# pyproject.toml names it as the package readme.
COPY pyproject.toml README* ./
COPY lianxin/ ./lianxin/
COPY services/ ./services/
# deploy/ holds runtime data such as the county directory
# (LIANXIN_DIRECTORY=/app/deploy/county.yaml).
COPY deploy/ ./deploy/

# Install as a regular (non-editable) package, drop the build leftovers and
# check at build time that the console script exists and starts.
RUN pip install --no-cache-dir . \
 && rm -rf build ./*.egg-info \
 && lianxin --help > /dev/null

# The code stays owned by root and read-only for the runtime user.
USER 10001:10001

# intake, dispatch, supervision, scoring (HTTP: /health and /metrics)
EXPOSE 8001 8002 8003 8004

ENTRYPOINT ["lianxin"]
CMD ["--help"]
