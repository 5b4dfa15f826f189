"""The config schemas' error messages: the file, the key path and what was expected, for every problem."""

from __future__ import annotations

import pytest

from pipeline.config_schema import FeedsFile, check, key_path
from pipeline.errors import ConfigError


def test_key_paths_read_as_in_the_file():
    assert key_path(("feeds", 3, "interval_minutes")) == "feeds[3].interval_minutes"
    assert key_path(("since",), "routes[0]") == "routes[0].since"
    assert key_path(()) == "(top level)"


def test_every_problem_is_named_up_to_three_then_counted():
    feeds = [{"name": "a", "url": "u", "interval_minutes": True, "topics": "x", "extra": 1, "nam": 2}]
    with pytest.raises(ConfigError) as raised:
        check(FeedsFile, {"feeds": feeds}, "feeds file f.yaml")
    message = str(raised.value)
    assert message.startswith("feeds file f.yaml: feeds[0].")
    assert "feeds[0].interval_minutes: expected a valid integer, got True" in message
    assert "feeds[0].topics: expected a valid list, got 'x'" in message
    assert "(and 1 more)" in message


def test_a_long_value_is_cut_in_the_message():
    with pytest.raises(ConfigError) as raised:
        check(FeedsFile, {"feeds": [{"name": "a", "url": ["x" * 500]}]}, "f.yaml")
    assert len(str(raised.value)) < 200 and "…" in str(raised.value)
