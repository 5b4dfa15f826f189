# The newswatch image: Airflow plus the project, installed from the lockfile
# (instead of _PIP_ADDITIONAL_REQUIREMENTS, which reinstalls on every start).
ARG AIRFLOW_VERSION=3.3.2
FROM apache/airflow:${AIRFLOW_VERSION}-python3.11

USER airflow
WORKDIR /opt/newswatch
COPY --chown=airflow:0 pyproject.toml uv.lock README.md ./
RUN pip install --no-cache-dir "uv==0.13.8" \
 && uv export --frozen --no-dev --no-emit-project --no-hashes -o /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt
COPY --chown=airflow:0 pipeline ./pipeline
COPY --chown=airflow:0 config ./config
COPY --chown=airflow:0 sql ./sql
RUN pip install --no-cache-dir --no-deps -e /opt/newswatch
