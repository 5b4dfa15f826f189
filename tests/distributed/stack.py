"""The distributed Airflow stack of docker-compose.yml, as local processes on loopback, for one test.

PostgreSQL (metadata DB and Celery result backend) and Redis (Celery broker) come from Debian's
packages; the Airflow components come from the project's venv:

    api-server (+ execution API) · scheduler · dag-processor
    worker-default: ``celery worker --queues default``
    worker-duckdb:  ``celery worker --queues duckdb,default --concurrency 1``

Every process runs in its own session (process group) with its log under ``<workdir>/logs``. The
stack remembers every process it started and their descendants (Airflow's task processes make their
own process groups), and ``stop()`` ends them all, also after a failure. See docs/DISTRIBUTED.md.
"""

from __future__ import annotations

import base64
import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psutil
import psycopg2
import redis

from pipeline import settings
from pipeline.cli import dagrun

T = TypeVar("T")

REPO = settings.REPO_ROOT
DB_USER = "airflow"
DB_NAME = "airflow"
HOSTNAME_CALLABLE = "tests.distributed.hostname.node_hostname"
# The DAG's cron, for this test only: Feb 29 has no tick between the DAG's start_date (2025-01-01)
# and 2028, so unpausing the DAG creates no scheduled run beside the triggered one.
NO_SCHEDULED_RUN = "0 0 29 2 *"
# name -> (celery queues, concurrency). worker-duckdb is compose's airflow-worker-duckdb, the only
# consumer of `duckdb`; here it also serves `default`, so that mapped tasks land on both workers.
# Two slots each: when the four fetch_feeds tasks are queued at once, one of the workers may still be
# finishing plan_shards (its message is acked late), and one worker holds at most two unacked
# messages (prefetch multiplier 1), so both get fetch tasks. Writes stay serial: the one-slot pool.
WORKERS = {"worker-default": ("default", 2), "worker-duckdb": ("duckdb,default", 2)}
WRITER_QUEUE = "duckdb"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(what: str, probe: Callable[[], T | None], timeout: float, *, every: float = 0.5,
              check: Callable[[], None] | None = None) -> T:
    """Call ``probe`` until it returns something truthy; ``check`` raises if waiting is pointless."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        if check:
            check()
        try:
            result = probe()
        except Exception as exc:  # noqa: BLE001 - a service that is not up yet raises; keep polling
            last, result = exc, None
        if result:
            return result
        time.sleep(every)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}" + (f" (last error: {last!r})" if last else ""))


@dataclass
class Service:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path
    stage: int  # stopped in descending stage order: Airflow (1) before Redis and PostgreSQL (0)
    stop_signal: int = signal.SIGTERM


@dataclass
class Processes:
    """The processes this test started, each in its own session, and every descendant seen."""

    logs: Path
    services: list[Service] = field(default_factory=list)
    seen: dict[int, psutil.Process] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], env: dict[str, str], *, stage: int,
              stop_signal: int = signal.SIGTERM, user: pwd.struct_passwd | None = None,
              cwd: Path | None = None) -> Service:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = self.logs / f"{name}.log"
        ids: dict[str, Any] = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []} if user else {}
        with log.open("ab") as out:
            proc = subprocess.Popen(argv, env=env, cwd=cwd or REPO, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True, **ids)
        service = Service(name, proc, log, stage, stop_signal)
        self.services.append(service)
        self.track()
        return service

    def track(self) -> None:
        """Remember every live descendant (task processes leave their parent's process group)."""
        for service in self.services:
            try:
                root = psutil.Process(service.proc.pid)
                family = [root, *root.children(recursive=True)]
            except psutil.Error:
                continue
            for proc in family:
                self.seen.setdefault(proc.pid, proc)

    def check_running(self) -> None:
        dead = [s for s in self.services if s.proc.poll() is not None]
        if dead:
            raise RuntimeError("\n".join(f"{s.name} exited with {s.proc.returncode}:\n{tail(s.log)}" for s in dead))

    def stop(self, timeout: float = 30.0) -> None:
        """Stop everything, also after a failure: signal, wait, then SIGKILL whatever is left."""
        self.track()
        for stage in sorted({s.stage for s in self.services}, reverse=True):
            batch = [s for s in self.services if s.stage == stage and s.proc.poll() is None]
            for service in batch:
                _signal_group(service.proc.pid, service.stop_signal)
            deadline = time.monotonic() + timeout
            for service in batch:
                try:
                    service.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    _signal_group(service.proc.pid, signal.SIGKILL)
                    service.proc.wait(timeout=10)
            for service in [s for s in self.services if s.stage == stage]:
                _signal_group(service.proc.pid, signal.SIGKILL)  # stray group members, if any
        for proc in self.alive_processes():
            try:
                proc.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(self.alive_processes(), timeout=10)

    def alive_processes(self) -> list[psutil.Process]:
        candidates = dict(self.seen)
        for service in self.services:
            if service.proc.poll() is None:
                try:
                    candidates.setdefault(service.proc.pid, psutil.Process(service.proc.pid))
                except psutil.Error:
                    pass
        alive = []
        for proc in candidates.values():
            try:
                if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                    alive.append(proc)
            except psutil.Error:
                pass
        return alive

    def alive(self) -> list[str]:
        out = []
        for proc in self.alive_processes():
            try:
                out.append(f"{proc.pid} {' '.join(proc.cmdline())[:120]}")
            except psutil.Error:
                out.append(str(proc.pid))
        return out

    def tails(self, chars: int = 1500) -> str:
        return "\n".join(f"--- {s.name} ({s.log}):\n{tail(s.log, chars)}" for s in self.services)


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError as exc:
        return f"<{exc}>"


def postgres_bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (Debian package `postgresql`; .ci/run installs it)")
    return Path(found[-1]).parent


def postgres_user() -> pwd.struct_passwd | None:
    """PostgreSQL refuses to run as root: as root, run it as `postgres` (Debian's) or else `nobody`."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("no unprivileged user to run PostgreSQL as (postgres, nobody)")


class CeleryStack:
    """PostgreSQL + Redis + Airflow (CeleryExecutor, two workers) on loopback; a context manager."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.procs = Processes(workdir / "logs")
        self.home = workdir / "airflow-home"
        self.pg_dir: Path | None = None
        self.pg_port = self.redis_port = self.api_port = 0
        self.env: dict[str, str] = {}
        self.timings: dict[str, float] = {}
        self.queues: dict[str, list[str]] = {}

    # -- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> CeleryStack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        t0 = time.monotonic()
        self._start_postgres()
        self._start_redis()
        self.timings["infra_s"] = time.monotonic() - t0
        self.env = self._airflow_env()
        t1 = time.monotonic()
        dagrun.prepare(self.env)  # db migrate, pool duckdb_writer (1 slot), dags reserialize
        self.timings["prepare_s"] = time.monotonic() - t1
        t2 = time.monotonic()
        self._start_airflow()
        self.airflow("dags", "unpause", dagrun.DAG_ID)  # while the services boot
        wait_for("the API server", self._api_ready, 180, every=1, check=self.procs.check_running)
        self.queues = wait_for(f"both Celery workers {sorted(WORKERS)}", self._all_workers_up, 180, every=1,
                               check=self.procs.check_running)
        self.timings["boot_s"] = time.monotonic() - t2

    def stop(self) -> None:
        try:
            self.procs.stop()
        finally:
            if self.pg_dir:
                shutil.rmtree(self.pg_dir, ignore_errors=True)

    # -- infrastructure --------------------------------------------------------------------------
    def _start_postgres(self) -> None:
        bindir, user = postgres_bindir(), postgres_user()
        self.pg_dir = Path(tempfile.mkdtemp(prefix="newswatch-pg-"))  # not under pytest's 0700 tmp
        if user:
            os.chown(self.pg_dir, user.pw_uid, user.pw_gid)
        data = self.pg_dir / "data"
        env = {"PATH": f"{bindir}:/usr/bin:/bin", "LANG": "C.UTF-8"}
        ids: dict[str, Any] = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []} if user else {}
        init = subprocess.run([str(bindir / "initdb"), "-D", str(data), "-U", DB_USER, "--auth=trust",
                               "--encoding=UTF8", "--no-locale", "--no-sync"], env=env, cwd=self.pg_dir,
                              capture_output=True, text=True, timeout=120, check=False, **ids)
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
        self.pg_port = free_port()
        self.procs.start("postgres", [
            str(bindir / "postgres"), "-D", str(data), "-p", str(self.pg_port),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
            "-c", "max_connections=200", "-c", "fsync=off", "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
        ], env, stage=0, stop_signal=signal.SIGINT, user=user, cwd=self.pg_dir)  # SIGINT: fast shutdown

        def create_db() -> bool:
            con = psycopg2.connect(host="127.0.0.1", port=self.pg_port, user=DB_USER, dbname="postgres",
                                   connect_timeout=3)
            try:
                con.autocommit = True
                with con.cursor() as cur:
                    cur.execute(f"create database {DB_NAME}")
            finally:
                con.close()
            return True

        wait_for("PostgreSQL", create_db, 60, check=self.procs.check_running)

    def _start_redis(self) -> None:
        self.redis_port = free_port()
        self.procs.start("redis", [
            shutil.which("redis-server") or "/usr/bin/redis-server", "--bind", "127.0.0.1",
            "--port", str(self.redis_port), "--save", "", "--appendonly", "no", "--daemonize", "no",
            "--dir", str(self.pg_dir), "--loglevel", "warning",
        ], {"PATH": "/usr/bin:/bin"}, stage=0)
        wait_for("Redis", lambda: redis.Redis(host="127.0.0.1", port=self.redis_port).ping(), 30,
                 check=self.procs.check_running)

    @property
    def broker_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def dsn(self, scheme: str = "postgresql+psycopg2") -> str:
        return f"{scheme}://{DB_USER}@127.0.0.1:{self.pg_port}/{DB_NAME}"

    # -- Airflow ---------------------------------------------------------------------------------
    def _airflow_env(self) -> dict[str, str]:
        """dagrun.airflow_env() (dags, plugins, NEWS_DATA_DIR), switched to the compose stack's settings."""
        env = dagrun.airflow_env()
        self.api_port = free_port()
        venv_bin = str(Path(dagrun._airflow()).parent)
        env.update({
            "AIRFLOW_HOME": str(self.home),
            "PATH": f"{venv_bin}{os.pathsep}{env.get('PATH', '')}",
            "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p),
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            # Airflow derives the async URL (postgresql+asyncpg://...) from this one.
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.dsn(),
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{self.dsn()}",  # explicit driver: psycopg (v3) is not installed
            "AIRFLOW__CELERY__BROKER_URL": self.broker_url,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.api_port}/execution/",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__API__WORKERS": "1",
            # One secret for every component: the scheduler signs task tokens, the API server checks them.
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
            "AIRFLOW__CORE__FERNET_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": HOSTNAME_CALLABLE,
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
            "AIRFLOW__LOGGING__CELERY_LOGGING_LEVEL": "INFO",
            "NEWS_WRITER_QUEUE": WRITER_QUEUE,
            "NEWS_INGEST_SCHEDULE": NO_SCHEDULED_RUN,
        })
        return env

    def _start_airflow(self) -> None:
        airflow = dagrun._airflow()

        def start(name: str, *args: str, **extra: str) -> None:
            self.procs.start(name, [airflow, *args], {**self.env, "NEWS_TEST_HOSTNAME": name, **extra}, stage=1)

        start("api-server", "api-server", "--host", "127.0.0.1", "--port", str(self.api_port), "--workers", "1")
        start("scheduler", "scheduler")
        start("dag-processor", "dag-processor")
        for name, (queues, concurrency) in WORKERS.items():
            # Two workers on one machine: their own celery name, pid file and log-server port.
            start(name, "celery", "worker", "--queues", queues, "--concurrency", str(concurrency),
                  "--celery-hostname", f"{name}@newswatch", "--pid", str(self.home / f"{name}.pid"),
                  AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(free_port()))

    def _api_ready(self) -> bool:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.api_port}/api/v2/version", timeout=5) as resp:
            return resp.status == 200

    def _all_workers_up(self) -> dict[str, list[str]] | None:
        queues = self.worker_queues()
        return queues if len(queues) == len(WORKERS) else None

    def worker_queues(self) -> dict[str, list[str]]:
        """The live Celery workers and the queues each consumes, as the broker sees them."""
        from celery import Celery

        app = Celery(broker=self.broker_url)
        try:
            active = app.control.inspect(timeout=1.0).active_queues() or {}
        finally:
            app.close()
        return {name: sorted(q["name"] for q in queues) for name, queues in active.items()}

    def airflow(self, *args: str) -> str:
        result = subprocess.run([dagrun._airflow(), *args], env={**self.env, "NEWS_TEST_HOSTNAME": "cli"},
                                capture_output=True, text=True, timeout=180, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args)} exited {result.returncode}:\n{result.stderr[-3000:]}")
        return result.stdout

    def trigger(self, run_id: str, conf: dict[str, Any]) -> None:
        self.airflow("dags", "trigger", dagrun.DAG_ID, "--run-id", run_id, "--conf", json.dumps(conf))

    # -- metadata DB -----------------------------------------------------------------------------
    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        con = psycopg2.connect(host="127.0.0.1", port=self.pg_port, user=DB_USER, dbname=DB_NAME,
                               connect_timeout=5)
        try:
            with con.cursor() as cur:
                cur.execute(sql, params)
                names = [d.name for d in cur.description]
                return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        finally:
            con.close()

    def run_state(self, run_id: str) -> str | None:
        rows = self.query("select state from dag_run where dag_id = %s and run_id = %s", (dagrun.DAG_ID, run_id))
        return rows[0]["state"] if rows else None

    def wait_for_run(self, run_id: str, timeout: float) -> str:
        def finished() -> str | None:
            self.procs.track()
            state = self.run_state(run_id)
            return state if state in ("success", "failed") else None

        return wait_for(f"run {run_id} to finish", finished, timeout, every=2, check=self.procs.check_running)

    def task_instances(self, run_id: str) -> list[dict[str, Any]]:
        return self.query(
            "select task_id, map_index, state, hostname, queue, pool, try_number from task_instance "
            "where dag_id = %s and run_id = %s order by task_id, map_index", (dagrun.DAG_ID, run_id))

    def task_logs(self, run_id: str, task_ids: set[str], chars: int = 2500) -> str:
        paths = sorted(self.home.glob(f"logs/dag_id={dagrun.DAG_ID}/run_id={run_id}/task_id=*/**/*.log"))
        return "\n".join(f"--- {p.relative_to(self.home)}:\n{tail(p, chars)}" for p in paths
                         if any(f"task_id={t}" in str(p) for t in task_ids))
