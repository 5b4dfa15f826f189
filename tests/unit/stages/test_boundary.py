"""The containment boundary: any failure of one feed or item is recorded, except config and storage errors."""

from __future__ import annotations

import pytest

from pipeline.errors import BlockedError, ConfigError, LoadError, StorageError
from pipeline.stages.boundary import REASON_CHARS, contained, describe


def run(exc: BaseException) -> list[tuple[str, str]]:
    recorded: list[tuple[str, str]] = []
    with contained("item", lambda error_class, reason: recorded.append((error_class, reason))):
        raise exc
    return recorded


@pytest.mark.parametrize(
    ("exc", "error_class"),
    [
        pytest.param(UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"), "UnicodeEncodeError",
                     id="unicode"),
        pytest.param(ValueError("Port out of range 0-65535"), "ValueError", id="value"),
        pytest.param(KeyError("link"), "KeyError", id="key"),
        pytest.param(BlockedError("robots.txt says no", error_class="robots_disallowed"), "robots_disallowed",
                     id="fetch-error-keeps-its-class"),
    ],
)
def test_any_other_failure_is_recorded_with_its_class_and_reason(exc, error_class):
    [(recorded_class, reason)] = run(exc)
    assert recorded_class == error_class
    assert reason.startswith(f"{type(exc).__name__}: ")


@pytest.mark.parametrize("exc", [ConfigError("feeds.yaml: feeds[0].url"), StorageError("disk full"),
                                 LoadError("locked")])
def test_config_and_storage_errors_fail_the_task(exc):
    with pytest.raises(type(exc)):
        run(exc)


def test_an_interrupt_is_never_contained():
    with pytest.raises(KeyboardInterrupt):
        run(KeyboardInterrupt())


def test_the_reason_is_short():
    [(_, reason)] = run(ValueError("x" * 10_000))
    assert len(reason) == REASON_CHARS


def test_the_block_runs_normally_when_nothing_fails():
    recorded: list[tuple[str, str]] = []
    with contained("item", lambda *a: recorded.append(a)):
        value = 1
    assert value == 1 and recorded == []
    assert describe(ValueError("v")) == ("ValueError", "ValueError: v")
