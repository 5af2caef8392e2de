# gridline service image.
#   docker build -t gridline .
#   docker run -p 8080:8080 -v gridline-var:/app/var -e GRIDLINE_ADMIN_TOKEN=... gridline
# With no GRIDLINE_DATABASE_URL it runs in sandbox mode on SQLite in /app/var (the volume).
# For the real 大鹏 outline of the demo city, mount the geo folder and set GRIDLINE_GEO_DIR.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- builder: build the wheel and install it with its dependencies into /opt/venv -------------
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
# numpy, shapely, scikit-learn, asyncpg and jieba's deps all ship manylinux wheels: no compiler needed.
RUN python -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY intake ./intake
COPY nlp ./nlp
COPY notify ./notify
COPY outbox ./outbox
COPY tuning ./tuning
COPY locale ./locale
RUN /opt/venv/bin/pip wheel --no-deps --wheel-dir /dist . \
 && /opt/venv/bin/pip install /dist/gridline-*.whl
# Fail the build, not the first request, when the installed layout lacks data files: the gettext
# catalogs (locale/, read by intake/i18n.py), the taxonomy and the holiday calendar. Run from / so the
# checkout in /src is not what gets imported.
RUN cd / && /opt/venv/bin/python -c "\
from intake.i18n import LOCALE_DIR; \
from intake.taxonomy.catalog import Catalog; \
from intake.sla.calendar import WorkCalendar; \
import bot; \
assert '/opt/venv/' in bot.__file__, bot.__file__; \
assert (LOCALE_DIR / 'zh_CN/LC_MESSAGES/gridline.po').is_file(), f'no gettext catalogs at {LOCALE_DIR}'; \
Catalog.load(); WorkCalendar.load()"

# --- runtime: the venv on a slim Python, as a non-root user -------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin gridline \
 && mkdir -p /app/var \
 && chown gridline:gridline /app/var
# Same path as in the builder, so the venv's scripts keep working.
COPY --from=builder /opt/venv /opt/venv
# `gridline serve` keeps its SQLite file and the demo tokens in ./var: the working directory matters.
WORKDIR /app
USER gridline
VOLUME ["/app/var"]
EXPOSE 8080
# No curl in the slim image: ask /healthz with the standard library (non-2xx raises, exit 1).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
CMD ["gridline", "serve", "--host", "0.0.0.0", "--port", "8080"]
