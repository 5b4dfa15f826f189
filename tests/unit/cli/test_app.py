"""The ``newswatch`` app: every command group is reachable, and pipeline errors end in one line and status 1."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app, main

COMMANDS = ["classify", "extract", "facts", "run", "reprocess", "sample-site", "demo", "airflow", "status", "sql",
            "export", "report", "feedback", "eval", "alerts", "train"]


def test_help_lists_every_command_in_order():
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    listed = [line.split()[1] for line in result.stdout.splitlines()
              if line.startswith("│ ") and len(line.split()) > 2 and not line.split()[1].startswith("-")]
    assert listed == COMMANDS


@pytest.mark.parametrize(("group", "commands"), [("eval", ["classify", "facts", "extraction"]),
                                                 ("alerts", ["preview", "send"])])
def test_each_group_lists_its_commands(group, commands):
    result = CliRunner().invoke(app, [group, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for command in commands:
        assert f"│ {command} " in result.stdout


def test_main_prints_a_pipeline_error_and_exits_1(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["newswatch", "status"])  # no snapshot yet in the test's data folder
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 1
    assert "error: no snapshot yet" in capsys.readouterr().err
