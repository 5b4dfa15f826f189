"""Topic configuration: load, validate and compile ``config/topics.yaml`` into :class:`Topics`.

Every error is a :class:`~pipeline.errors.ConfigError` naming the file and the dotted key to fix. All regular
expressions are compiled here, once per file content; :func:`pipeline.classify.score.classify` only scans.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from pipeline import config_schema, settings
from pipeline.classify.matcher import Matcher, MatcherBuilder, PatternSet, compile_phrase
from pipeline.classify.model import DEFAULT_MODEL_FILE_NAME, Model, load_model
from pipeline.errors import ConfigError

logger = logging.getLogger(__name__)

# Bump when the scoring code changes in a way that changes results; the config hash covers the rest.
CLASSIFIER_CODE_VERSION = "c1"
DEFAULT_TOPICS_FILE = settings.CONFIG_DIR / "topics.yaml"
VERSION_HASH_CHARS = 10

DEFAULT_SCORING: dict[str, float] = {
    "title_boost": 2.0,
    "lead_boost": 1.5,
    "lead_sentences": 2,
    "body_weight": 0.5,
    "saturation": 2.0,
}

_TOP_KEYS = frozenset({"scoring", "topics", "languages"})
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
UNDETERMINED = "und"
_TOPIC_KEYS = frozenset(
    {"description", "threshold", "scoring", "terms", "framed_terms", "cooccurrence", "negatives"}
)
_FRAMED_KEYS = frozenset({"framing", "terms"})
_TERM_KEYS = frozenset({"weight", "label"})
_RULE_KEYS = frozenset({"name", "weight", "paragraph_weight", "sides", "context", "context_bonus", "crowd"})
_CROWD_KEYS = frozenset({"max_others", "factor", "others"})
_NEGATIVE_KEYS = frozenset({"mask", "dampen"})
_DAMPEN_KEYS = frozenset({"factor", "patterns"})


@dataclass(frozen=True)
class Rule:
    """A co-occurrence rule: two actor sets in one sentence (or paragraph), with context and crowd terms."""

    name: str
    weight: float
    paragraph_weight: float
    side_names: tuple[str, str]
    sides: tuple[PatternSet, PatternSet]
    context: PatternSet
    context_bonus: float
    crowd_max_others: int
    crowd_factor: float
    crowd_others: PatternSet


@dataclass(frozen=True)
class Dampener:
    """Phrases that shrink a unit's weight by ``factor`` (a market wrap is not diplomacy)."""

    factor: float
    patterns: PatternSet


@dataclass(frozen=True)
class TopicSpec:
    """One topic's threshold, scoring weights and compiled phrase sets."""

    name: str
    threshold: float
    title_boost: float
    lead_boost: float
    lead_sentences: int
    body_weight: float
    saturation: float
    terms: PatternSet
    framed: PatternSet
    framing: PatternSet
    rules: tuple[Rule, ...]
    masks: PatternSet
    dampeners: tuple[Dampener, ...]


@dataclass(frozen=True)
class Topics:
    """Parsed and compiled topic configuration. Opaque to callers; build it with :func:`load_topics`."""

    specs: tuple[TopicSpec, ...]
    path: Path
    version: str
    matcher: Matcher
    languages: tuple[str, ...] | None = None  # None: the file names none, every language is scored
    model: Model | None = None  # the learned model beside the file, trained for exactly these rules
    rules_version: str = ""  # the rules' own version (``version`` adds the model's when there is one)

    @property
    def names(self) -> tuple[str, ...]:
        """Topic names in config order."""
        return tuple(spec.name for spec in self.specs)

    def covers(self, language: str | None) -> bool:
        """Whether the topics' phrases are written for ``language`` (ISO 639-1, as the extractor gives it).

        A text of no or undetermined language is scored: nothing says the phrases do not fit it.
        """
        return (
            self.languages is None or not language or language == UNDETERMINED or language in self.languages
        )


def load_topics(path: Path | None = None) -> Topics:
    """Load, validate and compile the topic configuration.

    Args:
        path: YAML file to read; defaults to :data:`DEFAULT_TOPICS_FILE`.

    Returns:
        The compiled topics, with ``version`` = code version + a short hash of the file content. When
        ``classifier_model.json`` lies beside the file and was trained for these rules, it is attached
        and ``version`` becomes ``<rules version>+<model version>`` (``c1-ab12cd34ef+m1-0123456789``).

    Raises:
        ConfigError: the file is not valid YAML or a key is missing, unknown or has a bad value. The message
            names the file and the dotted key to fix.
        OSError: the file cannot be read.
    """
    path = Path(path or DEFAULT_TOPICS_FILE)
    raw = path.read_bytes()
    model_path = path.parent / DEFAULT_MODEL_FILE_NAME
    try:
        stamp = model_path.stat()
        model_key = (stamp.st_mtime_ns, stamp.st_size)
    except FileNotFoundError:
        model_key = None
    # Compiling the matcher costs more than classifying a shard of short items, and every mapped
    # task of a run asks for the same file: reuse it while the content is unchanged.
    cached = _COMPILED.get(path)
    if cached is not None and cached[0] == (raw, model_key):
        return cached[1]
    topics = _attach_model(_compile_topics(path, raw), model_path)
    _COMPILED[path] = ((raw, model_key), topics)
    return topics


_COMPILED: dict[Path, tuple[tuple[bytes, tuple[int, int] | None], Topics]] = {}


def _attach_model(topics: Topics, model_path: Path) -> Topics:
    try:
        learned = load_model(model_path)
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"{model_path}: not a usable relevance model ({exc}); retrain it with `newswatch train classify`"
        ) from exc
    if learned is None:
        return topics
    if learned.rules_version != topics.version:
        logger.warning(
            "%s was trained for rules %s, not %s: scoring with the rules alone until "
            "`newswatch train classify` retrains it",
            model_path,
            learned.rules_version,
            topics.version,
        )
        return topics
    return replace(topics, model=learned, version=f"{topics.version}+{learned.version}")


def _compile_topics(path: Path, raw: bytes) -> Topics:
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML (key: <document>): {exc}") from exc
    config_schema.check(config_schema.TopicsFile, data, str(path))
    loader = _Loader(path)
    mapping = loader.mapping(data, "<document>", required=frozenset({"topics"}), allowed=_TOP_KEYS)
    defaults = loader.scoring(mapping.get("scoring", {}), "scoring", DEFAULT_SCORING)
    topics_raw = loader.mapping(mapping["topics"], "topics")
    if not topics_raw:
        raise loader.fail("topics", "define at least one topic")
    specs = tuple(loader.topic(str(name), body, defaults) for name, body in topics_raw.items())
    languages = loader.languages(mapping["languages"], "languages") if "languages" in mapping else None
    matcher = loader.builder.build()
    digest = hashlib.sha256(CLASSIFIER_CODE_VERSION.encode() + b"\0" + raw).hexdigest()[:VERSION_HASH_CHARS]
    version = f"{CLASSIFIER_CODE_VERSION}-{digest}"
    logger.debug("loaded %d topics from %s, version %s", len(specs), path, version)
    return Topics(
        specs=specs, path=path, version=version, matcher=matcher, languages=languages, rules_version=version
    )


class _Loader:
    """Validates one config file; every error names the file and the dotted key."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.builder = MatcherBuilder()

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.path}: {key}: {message}")

    def mapping(
        self,
        value: Any,
        key: str,
        *,
        required: frozenset[str] = frozenset(),
        allowed: frozenset[str] | None = None,
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a mapping, got {type(value).__name__}")
        for name in value:
            if not isinstance(name, str):  # `yes:` or `2025:` in YAML is a bool or an int, not a name
                raise self.fail(
                    f"{key}.{name}" if key != "<document>" else str(name),
                    f"expected a string key, got {name!r}",
                )
            if allowed is not None and name not in allowed:
                raise self.fail(f"{key}.{name}" if key != "<document>" else str(name), "unknown key")
        for name in required:
            if name not in value:
                raise self.fail(f"{key}.{name}" if key != "<document>" else name, "missing")
        return value

    def number(self, value: Any, key: str, *, low: float, high: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise self.fail(key, f"expected a number in [{low}, {high}], got {value!r}")
        return float(value)

    def whole(self, value: Any, key: str, *, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(key, f"expected a whole number in [{low}, {high}], got {value!r}")
        return value

    def strings(self, value: Any, key: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(key, "expected a list of non-empty strings")
        return list(value)

    def languages(self, value: Any, key: str) -> tuple[str, ...]:
        """The languages the topics cover: a non-empty list of ISO 639-1 codes (``[en, ja]``)."""
        codes = self.strings(value, key)
        if not codes:
            raise self.fail(key, "list at least one language (ISO 639-1 codes such as en, ja)")
        for i, code in enumerate(codes):
            if not _LANGUAGE_CODE.match(code):
                raise self.fail(
                    f"{key}[{i}]", f"expected an ISO 639-1 code in lower case (en, ja), got {code!r}"
                )
        if len(set(codes)) != len(codes):
            raise self.fail(key, "a language is listed twice")
        return tuple(codes)

    def weighted(self, value: Any, key: str) -> tuple[dict[str, float], dict[str, str]]:
        """Terms as ``phrase: weight`` or ``phrase: {weight: w, label: "shown in evidence"}``."""
        weights: dict[str, float] = {}
        labels: dict[str, str] = {}
        for term, item in self.mapping(value, key).items():
            name = str(term)
            if isinstance(item, dict):
                entry = self.mapping(
                    item, f"{key}.{name}", required=frozenset({"weight"}), allowed=_TERM_KEYS
                )
                weights[name] = self.number(entry["weight"], f"{key}.{name}.weight", low=0.0, high=10.0)
                label = entry.get("label", name)
                if not isinstance(label, str) or not label.strip():
                    raise self.fail(f"{key}.{name}.label", "expected a non-empty string")
                labels[name] = label
            else:
                weights[name] = self.number(item, f"{key}.{name}", low=0.0, high=10.0)
        return weights, labels

    def patterns(
        self, phrases: Mapping[str, float] | list[str], key: str, labels: Mapping[str, str] | None = None
    ) -> PatternSet:
        weighted = phrases if isinstance(phrases, Mapping) else dict.fromkeys(phrases, 1.0)
        compiled: dict[str, tuple[re.Pattern[str], tuple[str, ...]]] = {}
        for phrase in weighted:
            try:
                compiled[phrase] = compile_phrase(phrase)
            except re.error as exc:
                raise self.fail(f"{key}.{phrase}", f"invalid regular expression: {exc}") from exc
        return self.builder.add(weighted, compiled, labels or {})

    def scoring(self, value: Any, key: str, base: Mapping[str, float]) -> dict[str, float]:
        raw = self.mapping(value, key, allowed=frozenset(DEFAULT_SCORING))
        merged = dict(base)
        for name, item in raw.items():
            if name == "lead_sentences":
                merged[name] = float(self.whole(item, f"{key}.{name}", low=0, high=20))
            else:
                merged[name] = self.number(item, f"{key}.{name}", low=0.0, high=100.0)
        if merged["saturation"] <= 0:
            raise self.fail(f"{key}.saturation", "must be greater than 0")
        return merged

    def topic(self, name: str, value: Any, defaults: Mapping[str, float]) -> TopicSpec:
        key = f"topics.{name}"
        body = self.mapping(value, key, required=frozenset({"threshold"}), allowed=_TOPIC_KEYS)
        scoring = self.scoring(body.get("scoring", {}), f"{key}.scoring", defaults)
        threshold = self.number(body["threshold"], f"{key}.threshold", low=0.0, high=1.0)
        term_weights, term_labels = self.weighted(body.get("terms", {}), f"{key}.terms")
        terms = self.patterns(term_weights, f"{key}.terms", term_labels)

        framed_raw = self.mapping(body.get("framed_terms", {}), f"{key}.framed_terms", allowed=_FRAMED_KEYS)
        framed_terms, framed_labels = self.weighted(framed_raw.get("terms", {}), f"{key}.framed_terms.terms")
        framing = self.strings(framed_raw.get("framing", []), f"{key}.framed_terms.framing")
        if framed_terms and not framing:
            raise self.fail(f"{key}.framed_terms.framing", "framed terms need at least one framing phrase")

        rules_raw = body.get("cooccurrence", [])
        if not isinstance(rules_raw, list):
            raise self.fail(f"{key}.cooccurrence", "expected a list of rules")
        rules = tuple(self.rule(item, f"{key}.cooccurrence[{i}]") for i, item in enumerate(rules_raw))

        negatives = self.mapping(body.get("negatives", {}), f"{key}.negatives", allowed=_NEGATIVE_KEYS)
        masks = self.strings(negatives.get("mask", []), f"{key}.negatives.mask")
        dampen_raw = negatives.get("dampen", [])
        if not isinstance(dampen_raw, list):
            raise self.fail(f"{key}.negatives.dampen", "expected a list of {factor, patterns}")
        dampeners = tuple(
            self.dampener(item, f"{key}.negatives.dampen[{i}]") for i, item in enumerate(dampen_raw)
        )
        if not terms.names and not framed_terms and not rules:
            raise self.fail(key, "a topic needs terms, framed_terms or cooccurrence rules")
        return TopicSpec(
            name=name,
            threshold=threshold,
            title_boost=scoring["title_boost"],
            lead_boost=scoring["lead_boost"],
            lead_sentences=int(scoring["lead_sentences"]),
            body_weight=scoring["body_weight"],
            saturation=scoring["saturation"],
            terms=terms,
            framed=self.patterns(framed_terms, f"{key}.framed_terms.terms", framed_labels),
            framing=self.patterns(framing, f"{key}.framed_terms.framing"),
            rules=rules,
            masks=self.patterns(masks, f"{key}.negatives.mask"),
            dampeners=dampeners,
        )

    def rule(self, value: Any, key: str) -> Rule:
        body = self.mapping(value, key, required=frozenset({"name", "weight", "sides"}), allowed=_RULE_KEYS)
        sides = self.mapping(body["sides"], f"{key}.sides")
        if len(sides) != 2:
            raise self.fail(f"{key}.sides", "expected exactly two actor sets")
        (name_a, actors_a), (name_b, actors_b) = sides.items()
        crowd = self.mapping(body.get("crowd", {}), f"{key}.crowd", allowed=_CROWD_KEYS)
        others = self.strings(crowd.get("others", []), f"{key}.crowd.others")
        context = self.strings(body.get("context", []), f"{key}.context")
        if not isinstance(body["name"], str) or not body["name"].strip():
            raise self.fail(f"{key}.name", f"expected a non-empty string, got {body['name']!r}")
        return Rule(
            name=body["name"],
            weight=self.number(body["weight"], f"{key}.weight", low=0.0, high=10.0),
            paragraph_weight=self.number(
                body.get("paragraph_weight", 0.0), f"{key}.paragraph_weight", low=0.0, high=10.0
            ),
            side_names=(str(name_a), str(name_b)),
            sides=(
                self.actors(actors_a, f"{key}.sides.{name_a}"),
                self.actors(actors_b, f"{key}.sides.{name_b}"),
            ),
            context=self.patterns(context, f"{key}.context"),
            context_bonus=self.number(
                body.get("context_bonus", 0.0), f"{key}.context_bonus", low=0.0, high=10.0
            ),
            crowd_max_others=self.whole(
                crowd.get("max_others", 99), f"{key}.crowd.max_others", low=0, high=99
            ),
            crowd_factor=self.number(crowd.get("factor", 1.0), f"{key}.crowd.factor", low=0.0, high=1.0),
            crowd_others=self.patterns(others, f"{key}.crowd.others"),
        )

    def actors(self, value: Any, key: str) -> PatternSet:
        """An actor set: a list (every actor has strength 1.0) or a mapping of actor -> strength in 0..1."""
        if isinstance(value, dict):
            strengths = {str(k): self.number(v, f"{key}.{k}", low=0.0, high=1.0) for k, v in value.items()}
            if not strengths:
                raise self.fail(key, "expected at least one actor")
            return self.patterns(strengths, key)
        return self.patterns(self.strings(value, key), key)

    def dampener(self, value: Any, key: str) -> Dampener:
        body = self.mapping(value, key, required=frozenset({"factor", "patterns"}), allowed=_DAMPEN_KEYS)
        return Dampener(
            factor=self.number(body["factor"], f"{key}.factor", low=0.0, high=1.0),
            patterns=self.patterns(self.strings(body["patterns"], f"{key}.patterns"), f"{key}.patterns"),
        )
