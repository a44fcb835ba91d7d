# monitor as a container daemon: `monitor run` as a non-root user, the store on /data,
# the config in /config (baked defaults, or mount your own over it).

# The install is built where a C compiler is (setup.py compiles the classifier with mypyc) and
# copied into the slim image; both images keep Python at /usr/local, where the venv points.
FROM python:3.11 AS build

ENV PIP_NO_CACHE_DIR=1

WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY monitor ./monitor
COPY scripts/install.sh ./scripts/install.sh
RUN ./scripts/install.sh /opt/monitor

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MONITOR_CONFIG=/config/monitor.toml \
    PATH=/opt/monitor/bin:$PATH

COPY --from=build /opt/monitor /opt/monitor
RUN groupadd --system --gid 10001 monitor \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /data monitor \
    && mkdir -p /data \
    && chown 10001:10001 /data

# The baked config stores to ../data/monitor.db relative to itself: /data/monitor.db.
COPY config /config

USER 10001:10001
WORKDIR /data
VOLUME ["/data"]

# Healthy when the last cycle finished within twice the poll interval and /data takes writes.
HEALTHCHECK --interval=60s --timeout=30s --start-period=300s --retries=3 CMD ["monitor", "health"]

# SIGTERM lets the running cycle finish its writes; undelivered alerts go out after the restart.
STOPSIGNAL SIGTERM
ENTRYPOINT ["monitor"]
CMD ["run"]
