"""Exceptions raised by the pipeline: every one of them is defined here.

The tree::

    PipelineError            anything newswatch raises on purpose; never raised itself
    ├── ConfigError          a setting, option or config file is wrong; the message names the file and the key
    ├── FetchError           an HTTP request failed (status, network, size, policy)
    │   ├── BlockedError     refused before sending: robots.txt or the address guard
    │   └── DeferredError    not sent (or cut short) because a budget of the run is spent; waits for the next run
    ├── ExtractionError      a page gave no usable text
    ├── StageError           a stage failed as a whole: too many of its items failed, or none succeeded
    ├── StorageError         a staged file or the warehouse could not be written or read
    │   └── LoadError        the warehouse could not be written
    ├── ChannelError         an alert channel did not accept a message
    ├── NotifyError          Apprise could not deliver an operator notice
    └── DagRunError          an Airflow command started by the CLI failed, or its DAG run did not succeed

Per-item failures (one feed, one page) are caught, logged, counted and recorded in
``fetch_log``; only configuration errors and "nothing at all succeeded" end a stage.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base class of every error newswatch raises on purpose."""


class ConfigError(PipelineError):
    """A setting, command-line option or configuration file is invalid; the message names the file and the key."""


class FetchError(PipelineError):
    """An HTTP request failed.

    Attributes:
        error_class: short machine-readable reason stored in ``fetch_log.error_class``.
        status: the HTTP status, when a response arrived.
        retryable: whether trying again later may succeed.
        retry_after: seconds the server asked us to wait (Retry-After), when it said.
    """

    def __init__(self, message: str, *, error_class: str, status: int | None = None,
                 retryable: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after


class BlockedError(FetchError):
    """The request was refused before it was sent (robots.txt, address guard)."""


class DeferredError(FetchError):
    """A request was not made, or was cut short, because a budget of this run is spent.

    Not a failure of the item: its page or feed waits for the next run (``page_status`` ``deferred``).
    ``error_class`` names the budget (``deferred_host_budget``, ``deferred_scrape_budget``) and the
    message names its setting.
    """


class ExtractionError(PipelineError):
    """A page was fetched but gave no usable article text."""


class StageError(PipelineError):
    """A stage failed as a whole: more of its items failed than allowed, or none succeeded."""


class StorageError(PipelineError):
    """A staged file or the warehouse could not be written or read (a full disk, no snapshot yet)."""


class LoadError(StorageError):
    """The warehouse could not be written."""


class ChannelError(PipelineError):
    """An alert channel did not accept a message; the ledger records it and a later run retries."""


class NotifyError(PipelineError):
    """Apprise could not deliver a notice to at least one of the configured URLs."""


class DagRunError(PipelineError):
    """An Airflow command started by the CLI failed, or the DAG run it started did not succeed."""
