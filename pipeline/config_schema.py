"""Schemas of the YAML config files (``feeds.yaml``, ``topics.yaml``, ``alerts.yaml``, ``entities.yaml``), checked with pydantic.

Every model is strict: a bool is not a whole number, a string is not a list, and an unknown key is an
error (a typo must not be silently ignored). :func:`check` turns a validation failure into a
:class:`~pipeline.errors.ConfigError` that names the file, the key path (``feeds[3].interval_minutes``)
and what was expected. The loaders keep their own checks of meaning (an unset ``${VAR}``, an unknown
topic, a dangling reference); the schema checks shape and types, before any value is used.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.errors import ConfigError

M = TypeVar("M", bound=BaseModel)

_INSTANCE = re.compile(r"a valid dictionary or instance of \w+")
MAX_ERRORS = 3  # more than this many problems: the first ones are named, then "and N more"


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def key_path(loc: tuple[int | str, ...], prefix: str = "", data: Any = None, *, missing: bool = False) -> str:
    """``("feeds", 3, "interval_minutes")`` -> ``feeds[3].interval_minutes`` (after ``prefix``).

    With ``data`` (what was validated), the path follows the file: a step that indexes nothing in it is
    pydantic naming a branch of a union (``constrained-float``) or ``[key]`` (the key itself is bad) and is
    left out, unless it is the ``missing`` key; a mapping key is written as it is in the file.
    """
    out = prefix
    node = data
    for part in loc:
        if data is not None:
            if isinstance(node, dict) and part in node:
                part = next(k for k in node if k == part)  # a YAML bool key reads as True, not 1
                node = node[part]
                out += f".{part}" if out else str(part)
                continue
            if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
                out += f"[{part}]"
                continue
            if not (missing and part is loc[-1]):
                continue  # a union branch's name, or "[key]": the value (or key) here is what does not fit
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _expected(error: Any) -> str:
    kind, msg = error["type"], str(error["msg"])
    if kind == "extra_forbidden":
        return "unknown key (a typo?)"
    if kind == "missing":
        return "required key is missing"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    # "a valid dictionary or instance of FeedDefaults": the model's name means nothing to the reader.
    text = _INSTANCE.sub("a mapping", msg.replace("Input should be", "expected")).replace(
        "a valid dictionary", "a mapping"
    )
    value = repr(error.get("input"))
    return f"{text}, got {value[:60] + '…' if len(value) > 60 else value}"


def check(model: type[M], data: Any, where: str, prefix: str = "") -> M:
    """Validate ``data`` against ``model``.

    Args:
        model: the schema.
        data: the parsed YAML.
        where: names the file in the message, e.g. ``config/feeds.yaml`` or ``NEWS_ALERTS_FILE=...``.
        prefix: the key path of ``data`` inside the file, when it is a part of it.

    Raises:
        ConfigError: ``data`` does not fit; names the file, each key path and what was expected.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # A value that fits no branch of a union gives one error per branch, at one key path: one entry.
        found: dict[str, list[str]] = {}
        for error in exc.errors():
            found.setdefault(
                key_path(error["loc"], prefix, data, missing=error["type"] == "missing"), []
            ).append(_expected(error))
        # A mapping tried as a number first: the error inside the mapping is the one to read.
        found = {
            path: texts
            for path, texts in found.items()
            if not any(other.startswith((f"{path}.", f"{path}[")) for other in found)
        }
        parts = [
            f"{path}: {' or '.join(dict.fromkeys(texts))}" for path, texts in list(found.items())[:MAX_ERRORS]
        ]
        more = f" (and {len(found) - MAX_ERRORS} more)" if len(found) > MAX_ERRORS else ""
        raise ConfigError(f"{where}: " + "; ".join(parts) + more) from None


# -- feeds.yaml -----------------------------------------------------------------------------


class FeedDefaults(_Strict):
    topics: list[str] | None = None
    interval_minutes: int | None = Field(default=None, ge=1)


class FeedEntry(_Strict):
    name: str = Field(min_length=1)
    url: str = Field(min_length=1)
    topics: list[str] | None = None
    interval_minutes: int | None = Field(default=None, ge=1)


class FeedsFile(_Strict):
    base_url: str | None = None
    defaults: FeedDefaults | None = None
    feeds: list[FeedEntry] = Field(min_length=1)


# -- alerts.yaml ----------------------------------------------------------------------------


def _iso_datetime(value: Any) -> Any:
    """A YAML timestamp, or a string in ISO 8601 form; anything else is refused."""
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"expected an ISO 8601 date-time such as 2026-01-01T00:00:00Z, got {value!r}"
            ) from None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


class AlertRetry(_Strict):
    base_minutes: float | None = Field(default=None, gt=0)
    max_minutes: float | None = Field(default=None, gt=0)


class AlertRoute(_Strict):
    name: str = Field(min_length=1)
    enabled: bool = True
    # One topic name alone is accepted (documented in docs/ALERTS.md); it is never split into letters.
    topics: Any = None
    min_score: float | None = None
    mode: str | None = None
    digest_at: list[str] | None = None
    max_immediate: int | None = None
    updates: bool = False
    urls_env: str | None = None
    conn_id: str | None = None
    outbox: bool = False
    console: bool = False
    since: dt.datetime | None = None

    _since = field_validator("since", mode="before")(_iso_datetime)

    @field_validator("topics")
    @classmethod
    def _topics(cls, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise ValueError(f"expected a list of topic names, got {value!r}")
        return value


class AlertsFile(_Strict):
    retry: AlertRetry | None = None
    routes: list[dict[str, Any]]  # each checked as an AlertRoute, where the route's name is known


# -- entities.yaml --------------------------------------------------------------------------


def _iso_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"expected an ISO date such as 2025-01-20 or null, got {value!r}")


class GazetteerEntrySchema(_Strict):
    name: str = Field(min_length=1)
    type: str | None = None
    aliases: list[str] | None = None
    surname: Any = None  # a surname, or false: the surname alone is too ambiguous to link
    role: str | None = None
    terms: list[list[Any]] | None = None  # [[start, end-or-null], ...]
    country: str | None = None
    gender: str | None = None
    kind: str | None = None
    capital_of: str | None = None
    demonyms: list[str] | None = None
    media: bool = False
    wikidata: str | None = Field(default=None, pattern=r"^Q[1-9][0-9]*$")

    @field_validator("terms")
    @classmethod
    def _terms(cls, value: list[list[Any]] | None) -> list[list[Any]] | None:
        for term in value or ():
            if len(term) != 2 or _iso_date(term[0]) is None:
                raise ValueError(f"expected [start, end-or-null] pairs of ISO dates, got {term!r}")
            _iso_date(term[1])
        return value

    @field_validator("surname")
    @classmethod
    def _surname(cls, value: Any) -> Any:
        if value is not None and value is not False and not isinstance(value, str):
            raise ValueError(f"expected a surname or false, got {value!r}")
        return value


class MineralSchema(_Strict):
    name: str = Field(min_length=1)
    symbol: str | None = Field(default=None, pattern=r"^[A-Z][a-z]?$")
    wikidata: str | None = Field(default=None, pattern=r"^Q[1-9][0-9]*$")
    hs_code: str | None = Field(default=None, pattern=r"^[0-9]{4}(\.[0-9]{2}){0,2}$")


class EntitiesFile(_Strict):
    # Each entry (a bare name or a mapping) is checked as a GazetteerEntrySchema by the loader.
    persons: list[Any] | None = None
    organizations: list[Any] | None = None
    places: list[Any] | None = None
    facilities: list[Any] | None = None
    generic_orgs: dict[str, dict[str, str]] | None = None
    ignore: list[str] | None = None
    minerals: list[MineralSchema] | None = None


# -- topics.yaml ----------------------------------------------------------------------------
# Shape and ranges only; pipeline.classify.config compiles the phrases (a bad regex is named there) and
# checks what needs more than one key (a topic needs terms or rules, framed terms need framing).

Weight = Annotated[float, Field(ge=0.0, le=10.0)]
Strength = Annotated[float, Field(ge=0.0, le=1.0)]
Phrase = Annotated[str, Field(min_length=1, pattern=r"\S")]


class TopicScoring(_Strict):
    title_boost: float | None = Field(default=None, ge=0.0, le=100.0)
    lead_boost: float | None = Field(default=None, ge=0.0, le=100.0)
    lead_sentences: int | None = Field(default=None, ge=0, le=20)
    body_weight: float | None = Field(default=None, ge=0.0, le=100.0)
    saturation: float | None = Field(default=None, gt=0.0, le=100.0)


class TopicTerm(_Strict):
    weight: Weight
    label: Phrase | None = None


class FramedTerms(_Strict):
    framing: list[Phrase] = []
    terms: dict[str, Weight | TopicTerm] = {}


class Crowd(_Strict):
    max_others: int = Field(default=99, ge=0, le=99)
    factor: Strength = 1.0
    others: list[Phrase] = []


class CooccurrenceRule(_Strict):
    name: Phrase
    weight: Weight
    paragraph_weight: Weight = 0.0
    sides: dict[str, list[Phrase] | dict[str, Strength]] = Field(min_length=2, max_length=2)
    context: list[Phrase] = []
    context_bonus: Weight = 0.0
    crowd: Crowd | None = None


class Dampen(_Strict):
    factor: Strength
    patterns: list[Phrase]


class Negatives(_Strict):
    mask: list[Phrase] = []
    dampen: list[Dampen] = []


class TopicSchema(_Strict):
    description: str | None = None
    threshold: Strength
    scoring: TopicScoring | None = None
    terms: dict[str, Weight | TopicTerm] = {}
    framed_terms: FramedTerms | None = None
    cooccurrence: list[CooccurrenceRule] = []
    negatives: Negatives | None = None


class TopicsFile(_Strict):
    scoring: TopicScoring | None = None
    topics: dict[str, TopicSchema] = Field(min_length=1)
    languages: list[Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]] | None = Field(default=None, min_length=1)
