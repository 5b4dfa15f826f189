"""``newswatch alerts preview|send``: over a warehouse one run of the sample site filled, copied for each test."""

from __future__ import annotations

import json
import re
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline import sample_site
from pipeline.alerts import channels
from pipeline.stages import runner as stages_runner

runner = CliRunner()


@pytest.fixture(scope="module")
def loaded_data(site_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data folder after one forced run over the sample site (alerts queued, none sent yet)."""
    data = tmp_path_factory.mktemp("alerts") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEWS_DATA_DIR", str(data))
        mp.setenv("NEWS_SAMPLE_SITE_URL", site_url)
        mp.setenv("NEWS_FEEDS_FILE", str(sample_site.FEEDS_FILE))
        mp.setenv("NEWS_ALLOW_HOSTS", "127.0.0.1")
        mp.setenv("NEWS_MIN_INTERVAL_S", "0")
        row = stages_runner.run_pipeline(force=True)
    assert row["count_alerts_queued"] > 0
    yield data


@pytest.fixture
def warehouse(loaded_data: Path, isolated_settings: Path) -> Path:
    """This test's own copy of the loaded data folder, as the current NEWS_DATA_DIR."""
    shutil.copytree(loaded_data, isolated_settings)
    return isolated_settings


def app_invoke(*args: str):
    from pipeline.cli.app import app

    return runner.invoke(app, list(args))


def pending(output: str) -> int:
    last = output.strip().splitlines()[-1]
    assert last.endswith(" alerts pending"), output
    return int(last.split()[0])


def sent_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("sent ")]


def messages_shown(output: str) -> list[list[str]]:
    """The messages a preview printed: each from its "== route ..." line to its footer."""
    return [block.split("\n\nroute ")[0].strip().splitlines() for block in ("\n" + output).split("\n== ")[1:]]


def test_preview_shows_the_bodies_up_to_the_limit_and_counts_them_all(warehouse: Path) -> None:
    result = app_invoke("alerts", "preview", "--limit", "2")
    assert result.exit_code == 0, result.output
    total = pending(result.stdout)
    assert total > 2
    shown = messages_shown(result.stdout)
    assert len(shown) == 2
    for lines in shown:  # which route sends it, the headline, the article's address, the message's key
        assert lines[0].startswith("route outbox, new: newswatch [")
        assert any(line.startswith("http://127.0.0.1:") for line in lines)
        assert lines[-1].startswith("newswatch alert · route outbox · ref nw-")
    assert re.search(rf"^route outbox: \d+ messages, {total} alerts$", result.stdout, re.M)


def test_preview_plans_each_route_of_news_alerts_file(warehouse: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    routes = tmp_path / "alerts.yaml"
    # A webhook route whose URL variable is not set: a preview needs no secret, it sends nothing.
    routes.write_text("routes:\n"
                      "  - name: minerals\n    topics: [rare_earths]\n    min_score: 0.9\n    max_immediate: 1\n"
                      "    urls_env: TEST_UNSET_HOOK_URLS\n"
                      "  - name: desk\n    topics: [us_japan]\n    mode: digest\n    digest_at: ['00:00']\n"
                      "    outbox: true\n", encoding="utf-8")
    monkeypatch.setenv("NEWS_ALERTS_FILE", str(routes))
    monkeypatch.delenv("TEST_UNSET_HOOK_URLS", raising=False)
    result = app_invoke("alerts", "preview", "--limit", "50")
    assert result.exit_code == 0, result.output
    assert not re.search(r"^route outbox", result.stdout, re.M)  # the default file's route is not planned
    counts = dict(re.findall(r"^route (\w+): \d+ messages, (\d+) alerts$", result.stdout, re.M))
    assert set(counts) == {"minerals", "desk"}
    shown = messages_shown(result.stdout)
    minerals = [lines for lines in shown if lines[0].startswith("route minerals,")]
    desk = [lines for lines in shown if lines[0].startswith("route desk,")]
    # minerals: one immediate message (max_immediate 1), the rest in one digest; rare_earths stories only.
    assert [lines[0].split(":")[0] for lines in minerals] == ["route minerals, new", "route minerals, digest"]
    assert "[rare_earths" in minerals[0][0] and "us_japan]" not in minerals[0][0]
    # desk: a digest route, one digest message of us_japan stories
    assert len(desk) == 1 and desk[0][0].startswith("route desk, digest: newswatch digest: ")
    assert int(counts["minerals"]) + int(counts["desk"]) == pending(result.stdout)


def test_preview_with_nothing_pending_shows_the_last_delivered_messages_of_the_files_routes(
        warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sent = app_invoke("alerts", "send", "--demo")  # the demo's route is named outbox, as the default file's
    assert sent.exit_code == 0, sent.output
    result = app_invoke("alerts", "preview", "--limit", "2")
    assert result.exit_code == 0, result.output
    assert pending(result.stdout) == 0
    assert "the last 2 messages delivered, newest first:" in result.stdout
    delivered = re.findall(r"^== delivered \S+ \S+ UTC on route (\w+): (.+)$", result.stdout, re.M)
    assert [route for route, _ in delivered] == ["outbox", "outbox"]
    keys = [json.loads(line)["key"] for line in channels.outbox_file().read_text(encoding="utf-8").splitlines()]
    assert all(f"ref {key}" in result.stdout for key in keys[-2:])  # the two written last

    # A routes file whose routes delivered nothing: it shows none of the outbox route's messages.
    other = tmp_path / "alerts.yaml"
    other.write_text("routes:\n  - name: desk\n    topics: [us_japan]\n    since: 2100-01-01T00:00:00Z\n"
                     "    outbox: true\n", encoding="utf-8")
    monkeypatch.setenv("NEWS_ALERTS_FILE", str(other))
    result = app_invoke("alerts", "preview")
    assert result.exit_code == 0, result.output
    assert "nothing delivered yet" in result.stdout and "on route outbox" not in result.stdout


def test_preview_sends_nothing(warehouse: Path) -> None:
    first = pending(app_invoke("alerts", "preview").stdout)
    assert pending(app_invoke("alerts", "preview").stdout) == first
    assert not channels.outbox_file().exists()


def test_send_demo_writes_the_outbox_once(warehouse: Path) -> None:
    result = app_invoke("alerts", "send", "--demo")
    assert result.exit_code == 0, result.output
    sent = sent_lines(result.stdout)
    assert sent and all(line.split()[1] == "outbox" for line in sent)
    assert result.stdout.strip().endswith(f"{len(sent)} messages sent, 0 failed")
    outbox = channels.outbox_file()
    written = outbox.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in written]
    assert [r["key"] for r in records] == [line.split()[3] for line in sent]
    assert all(r["route"] == "outbox" and r["stories"] and r["text"] for r in records)

    again = app_invoke("alerts", "send", "--demo")
    assert again.exit_code == 0, again.output
    assert sent_lines(again.stdout) == []
    assert again.stdout.strip().endswith("0 messages sent, 0 failed")
    assert outbox.read_text(encoding="utf-8").splitlines() == written
    assert pending(app_invoke("alerts", "preview").stdout) == 0


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_send_reports_a_failed_route_and_exits_1(warehouse: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    routes = tmp_path / "alerts.yaml"
    routes.write_text("routes:\n  - name: hook\n    topics: [us_japan]\n    mode: immediate\n"
                      "    urls_env: TEST_HOOK_URLS\n", encoding="utf-8")
    monkeypatch.setenv("NEWS_ALERTS_FILE", str(routes))
    monkeypatch.setenv("TEST_HOOK_URLS", f"json://127.0.0.1:{closed_port()}/hook")
    result = app_invoke("alerts", "send")
    assert result.exit_code == 1, result.output
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED ")]
    assert failed and all(line.split()[1] == "hook" for line in failed)
    assert result.stdout.strip().endswith(f"0 messages sent, {len(failed)} failed")
    assert not channels.outbox_file().exists()  # the file's routes replace the demo's outbox



ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def test_with_nothing_pending_preview_shows_the_messages_delivered_last(warehouse: Path) -> None:
    assert "nothing delivered yet" not in app_invoke("alerts", "preview").stdout  # pending ones come first
    sent = sent_lines(app_invoke("alerts", "send", "--demo").stdout)
    result = app_invoke("alerts", "preview", "--limit", "2")
    assert result.exit_code == 0, result.output
    assert pending(result.stdout) == 0
    out = result.stdout
    assert "the last 2 messages delivered, newest first:" in out and out.count("== delivered ") == 2
    # The demo's flood-control digest went last: it is shown first, opening with its headlines.
    assert sent[-1].split()[2] == "digest" and sent[-1].split()[3] in out
    digest = out.split("== delivered ", 2)[1]
    assert "Headlines (" in digest and "why it matched: " in digest and "us+japan" not in digest
    assert "The White House · " in digest  # the publication, not 127.0.0.1
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "alert-digest.txt").write_text("== delivered " + digest, encoding="utf-8")
