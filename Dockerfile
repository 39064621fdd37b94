# One image for the Lianxin services and the console. Which one a container runs is chosen by
# its command:
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

# The dependencies first, exactly as locked (requirements.lock, `uv pip compile`): a code edit
# rebuilds only the layers below this one.
COPY requirements.lock ./
RUN pip install --no-cache-dir --no-deps -r requirements.lock

COPY pyproject.toml README.md ./
COPY lianxin/ ./lianxin/
COPY services/ ./services/
# The office's data files. The services read them from deploy/ under the working directory
# (LIANXIN_HOME, here /app), so a file mounted over /app/deploy/staff.yaml is the one they use.
COPY deploy/ ./deploy/

# Lianxin itself, non-editable, on top of the locked dependencies (--no-deps: nothing unlocked
# slips in); drop the build leftovers and check at build time that the console script starts.
RUN pip install --no-cache-dir --no-deps . \
 && rm -rf build ./*.egg-info \
 && lianxin --help > /dev/null

# The code stays owned by root and read-only for the runtime user.
USER 10001:10001

# console 8000; intake, dispatch, supervision, scoring, accounts, notifications 8001-8006 (HTTP: /health
# and /metrics)
EXPOSE 8000 8001 8002 8003 8004 8005 8006

ENTRYPOINT ["lianxin"]
CMD ["--help"]
