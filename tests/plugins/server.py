"""A real Airflow API server on loopback, with this project's plugins and one SimpleAuthManager user."""

from __future__ import annotations

import json
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from pipeline import settings
from pipeline.cli import dagrun

USER = "operator"


@dataclass(frozen=True)
class Server:
    base: str
    user: str
    password: str
    log: Path

    def token(self) -> str:
        """A JWT from the API server's own login endpoint, as the CLI or a script would get one."""
        response = httpx.post(f"{self.base}/auth/token", json={"username": self.user, "password": self.password},
                              timeout=30)
        assert response.status_code == 201, response.text
        return str(response.json()["access_token"])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def api_server(home: Path, role: str = "viewer") -> Iterator[Server]:
    """``airflow api-server`` with the plugins of ``plugins/`` and the user ``operator`` (``role``)."""
    home.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    passwords = home / "passwords.json"
    passwords.write_text(json.dumps({USER: password}))
    port = free_port()
    env = dagrun.server_env(port)
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(settings.REPO_ROOT / "plugins"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(settings.REPO_ROOT / "dags"),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:{role}",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
    })
    dagrun._call(["db", "migrate"], env, quiet=True)
    log = home / "api-server.log"
    command = ("api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1")
    with dagrun.serve(env, command, log_path=log, timeout_s=180) as base:
        yield Server(base=base, user=USER, password=password, log=log)
