"""``[core] hostname_callable`` for the distributed test: one name per Airflow process.

Every component of the test stack runs on this one machine, so the FQDN cannot tell the two Celery
workers apart. Each process gets ``NEWS_TEST_HOSTNAME`` (what Docker's per-container hostname is in
the compose stack), and Airflow records it: the task SDK supervisor sends ``get_hostname()`` when a
task starts running, and the API server stores it in ``task_instance.hostname``.

Imported by Airflow through ``AIRFLOW__CORE__HOSTNAME_CALLABLE=tests.distributed.hostname.node_hostname``
with the repository root on ``PYTHONPATH``. Standard library only: it runs inside every task.
"""

from __future__ import annotations

import os
import socket

ENV = "NEWS_TEST_HOSTNAME"


def node_hostname() -> str:
    return os.environ.get(ENV) or socket.getfqdn()
