"""The built wheel is the product: it carries the SQL, the default config, the DAGs and the sample site, and an
installed newswatch runs its demo from any directory, with no checkout beside it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def wheel(tmp_path_factory, uv) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([uv, "build", "--wheel", "--out-dir", str(out), str(REPO)], check=True, capture_output=True,
                   timeout=300)
    [built] = out.glob("newswatch-*.whl")
    return built


def test_the_wheel_carries_sql_config_dags_and_the_sample_site(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in ("pipeline/_data/sql/ddl/001_feeds.sql", "pipeline/_data/sql/load/010_feeds.sql",
                 "pipeline/_data/config/topics.yaml", "pipeline/_data/config/feeds.yaml",
                 "pipeline/_data/dags/news_ingest.py", "pipeline/_data/plugins/news_monitor.py",
                 "pipeline/sample_site/feeds.yaml", "pipeline/sample_site/site/robots.txt"):
        assert path in names, path
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)


def test_an_installed_wheel_runs_the_demo_from_another_directory(wheel, uv, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    # The dependencies come from the project's environment (read as a plain path, so its editable
    # install of this checkout is not activated); newswatch itself only from the wheel.
    (purelib / "newswatch-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([uv, "pip", "install", "--no-deps", "--python", str(python), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWS_")}
    found = subprocess.run([str(python), "-c", "import pipeline.settings as s; print(s.SQL_DIR)"], cwd=work, env=env,
                           check=True, capture_output=True, text=True).stdout.strip()
    assert Path(found) == purelib / "pipeline" / "_data" / "sql"
    demo = subprocess.run([str(venv / "bin" / "newswatch"), "demo", "--no-airflow", "--port", str(free_port())],
                          cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert (work / "data" / "newswatch.snapshot.duckdb").is_file()
    assert "Trump and Takaichi" in demo.stdout
