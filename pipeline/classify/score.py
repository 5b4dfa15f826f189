"""Topic relevance classifier: explainable rules from ``config/topics.yaml``, a score and evidence per topic.

An article is cut into units: the title, then the sentences of the text (grouped into paragraphs). For each
topic, every unit collects weight from

- **terms**: weighted words and phrases ("rare earths", "日米", "critical minerals");
- **framed terms**: words that only count when the story frames them as the topic ("lithium" next to
  "supply chain" or "export curbs", not next to "battery fire");
- **co-occurrence rules**: two actor sets named in one sentence (a US actor and a Japan actor), or, more weakly,
  in one paragraph or across the title and its lead. Named governments and leaders ("Trump", "Takaichi") weigh
  more than bare nationalities ("an American skater"), a relations word ("summit", "tariff") adds a bonus, and
  a sentence naming many other countries (a G7 list) counts for little;
- **negatives**: masks that make a phrase invisible ("lithium-ion", "Washington Post") and dampeners that shrink a
  sentence's weight ("Nikkei", "stocks"): a market wrap naming Tokyo and New York is not diplomacy.

The title and the lead sentences are boosted, later body sentences count with diminishing returns, and the raw sum
is squashed to a 0..1 score: ``1 - exp(-raw / saturation)``. Each topic has its own threshold. Evidence is the
best-scoring units with the terms and rules that fired, as character spans into the field they came from.

All regular expressions are compiled once in :func:`load_topics`; :func:`classify` only scans.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipeline import settings
from pipeline.errors import ConfigError

logger = logging.getLogger(__name__)

# Bump when the scoring code changes in a way that changes results; the config hash covers the rest.
CLASSIFIER_CODE_VERSION = "c1"
DEFAULT_TOPICS_FILE = settings.CONFIG_DIR / "topics.yaml"

FIELD_TITLE = "title"
FIELD_TEXT = "text"
MAX_EVIDENCE = 5
VERSION_HASH_CHARS = 10

DEFAULT_SCORING: dict[str, float] = {
    "title_boost": 2.0,
    "lead_boost": 1.5,
    "lead_sentences": 2,
    "body_weight": 0.5,
    "saturation": 2.0,
}

# Hyphens and dashes that appear inside compounds such as "U.S.–Japan" or "rare-earth".
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2212"
_PHRASE_SEP = f"[\\s{_DASHES}]+"
_PHRASE_SPLIT_RE = re.compile(f"[\\s{_DASHES}]+")
_ASCII_WORD = "A-Za-z0-9_"
# Latin words and single non-ASCII characters (Japanese has no spaces, so every character may start a phrase).
_TOKEN_RE = re.compile(r"[A-Za-z0-9]+|[^\x00-\x7f]")
_INITIALISM_RE = re.compile(r"(?:[A-Za-z]\.){2,}")
_REGEX_HEAD_RE = re.compile(r"(?:\(\?:((?:[A-Za-z0-9]+\|)*[A-Za-z0-9]+)\)|([A-Za-z0-9]+))(?=\\s|\[\\s|[ \-])")

# Sentence ends: Western punctuation followed by space, or CJK full stops (which need no space).
_SENTENCE_END_RE = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s)|[\u3002\uff01\uff1f]+[\u300d\u300f\uff09]*")
# Paragraph breaks: a blank line, an indented line (Reuters 1987 style) or a bullet. A single newline is
# only hard wrapping (White House and Reuters texts wrap at ~70 columns), so it does not end a sentence.
_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t]*\n\s*|\n[ \t]{2,}|\n(?=[ \t]*[-*\u2022]\s)")
# A period after these tokens is usually not a sentence end; splitting "U.S. Trade sanctions" would hide
# the US actor from the sentence it belongs to.
_ABBREVIATIONS = frozenset(
    "u.s u.k u.n e.u d.c a.m p.m e.g i.e mr mrs ms dr st jr sr gov sen rep gen col lt adm no vs inc corp co "
    "ltd jan feb mar apr jun jul aug sep sept oct nov dec".split()
)

_TOP_KEYS = frozenset({"scoring", "topics"})
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
class Evidence:
    """One unit (the title or a sentence) that contributed to a topic score."""

    text: str
    start: int
    end: int
    field: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class TopicResult:
    """The verdict for one topic: score in 0..1, the thresholded decision and the best evidence."""

    topic: str
    score: float
    relevant: bool
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class _PatternSet:
    """A named group of phrases; ``set_id`` keys its matches in :meth:`_Matcher.scan`."""

    set_id: int
    names: tuple[str, ...]
    weights: tuple[float, ...]


@dataclass(frozen=True)
class _Phrase:
    set_id: int
    index: int
    length: int
    regex: re.Pattern[str]


@dataclass(frozen=True)
class _Matcher:
    """Finds every configured phrase in one pass over a field.

    One big alternation regex per phrase set is slow in Python's ``re`` (every branch is tried at every
    character: ~20 ms for a 4,000-character article). Instead the text is cut into tokens once, each token is
    looked up in a dict of phrase first-words, and only those candidates are matched, anchored at the token.
    Raw ``re:`` phrases whose first word cannot be read off the pattern are searched in full; keep them few.
    """

    by_key: dict[str, tuple[_Phrase, ...]]
    scanned: tuple[_Phrase, ...]

    def scan(self, text: str) -> dict[int, list[tuple[int, int, int]]]:
        """Return {set_id: [(start, end, phrase index), ...]}, keeping the longest phrase per set and start."""
        found: dict[int, list[tuple[int, int, int]]] = {}
        if not text:
            return found
        by_key = self.by_key
        for token in _TOKEN_RE.finditer(text):
            word = token.group().lower()
            candidates = by_key.get(word, ())
            if word[-1:] == "s" and len(word) > 3:
                # "minerals" and "taxes" must find the phrases "mineral" and "tax".
                extra = by_key.get(word[:-1], ()) + (by_key.get(word[:-2], ()) if word[-2:] == "es" else ())
                if extra:
                    candidates = tuple(sorted(candidates + extra, key=lambda p: -p.length))
            if not candidates:
                continue
            start = token.start()
            done: set[int] = set()
            for phrase in candidates:  # longest first within each key
                if phrase.set_id in done:
                    continue
                m = phrase.regex.match(text, start)
                if m:
                    done.add(phrase.set_id)
                    found.setdefault(phrase.set_id, []).append((start, m.end(), phrase.index))
        for phrase in self.scanned:
            for m in phrase.regex.finditer(text):
                if m.end() > m.start():
                    found.setdefault(phrase.set_id, []).append((m.start(), m.end(), phrase.index))
        return found


@dataclass(frozen=True)
class _Rule:
    name: str
    weight: float
    paragraph_weight: float
    side_names: tuple[str, str]
    sides: tuple[_PatternSet, _PatternSet]
    context: _PatternSet
    context_bonus: float
    crowd_max_others: int
    crowd_factor: float
    crowd_others: _PatternSet


@dataclass(frozen=True)
class _Dampener:
    factor: float
    patterns: _PatternSet


@dataclass(frozen=True)
class _TopicSpec:
    name: str
    threshold: float
    title_boost: float
    lead_boost: float
    lead_sentences: int
    body_weight: float
    saturation: float
    terms: _PatternSet
    framed: _PatternSet
    framing: _PatternSet
    rules: tuple[_Rule, ...]
    masks: _PatternSet
    dampeners: tuple[_Dampener, ...]


@dataclass(frozen=True)
class Topics:
    """Parsed and compiled topic configuration. Opaque to callers; build it with :func:`load_topics`."""

    specs: tuple[_TopicSpec, ...]
    path: Path
    version: str
    matcher: _Matcher

    @property
    def names(self) -> tuple[str, ...]:
        """Topic names in config order."""
        return tuple(spec.name for spec in self.specs)


@dataclass(frozen=True)
class _Unit:
    field: str
    start: int
    end: int
    paragraph: int  # the title and the lead sentences form paragraph 0, the "headline block"
    position: str  # "title", "lead" or "body"


# --------------------------------------------------------------------------------------------------------
# Loading and validation


def load_topics(path: Path | None = None) -> Topics:
    """Load, validate and compile the topic configuration.

    Args:
        path: YAML file to read; defaults to :data:`DEFAULT_TOPICS_FILE`.

    Returns:
        The compiled topics, with ``version`` = code version + a short hash of the file content.

    Raises:
        ConfigError: the file is not valid YAML or a key is missing, unknown or has a bad value. The message
            names the file and the dotted key to fix.
        OSError: the file cannot be read.
    """
    path = Path(path or DEFAULT_TOPICS_FILE)
    raw = path.read_bytes()
    # Compiling the matcher costs more than classifying a shard of short items, and every mapped
    # task of a run asks for the same file: reuse it while the content is unchanged.
    cached = _COMPILED.get(path)
    if cached is not None and cached[0] == raw:
        return cached[1]
    topics = _compile_topics(path, raw)
    _COMPILED[path] = (raw, topics)
    return topics


_COMPILED: dict[Path, tuple[bytes, Topics]] = {}


def _compile_topics(path: Path, raw: bytes) -> Topics:
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML (key: <document>): {exc}") from exc
    loader = _Loader(path)
    mapping = loader.mapping(data, "<document>", required=frozenset({"topics"}), allowed=_TOP_KEYS)
    defaults = loader.scoring(mapping.get("scoring", {}), "scoring", DEFAULT_SCORING)
    topics_raw = loader.mapping(mapping["topics"], "topics")
    if not topics_raw:
        raise loader.fail("topics", "define at least one topic")
    specs = tuple(loader.topic(str(name), body, defaults) for name, body in topics_raw.items())
    matcher = loader.matcher()
    digest = hashlib.sha256(CLASSIFIER_CODE_VERSION.encode() + b"\0" + raw).hexdigest()[:VERSION_HASH_CHARS]
    version = f"{CLASSIFIER_CODE_VERSION}-{digest}"
    logger.debug("loaded %d topics from %s, version %s", len(specs), path, version)
    return Topics(specs=specs, path=path, version=version, matcher=matcher)


class _Loader:
    """Validates one config file; every error names the file and the dotted key."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.set_count = 0
        self.by_key: dict[str, list[_Phrase]] = {}
        self.scanned: list[_Phrase] = []

    def matcher(self) -> _Matcher:
        by_key = {key: tuple(sorted(items, key=lambda p: -p.length)) for key, items in self.by_key.items()}
        return _Matcher(by_key=by_key, scanned=tuple(self.scanned))

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.path}: key '{key}': {message}")

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

    def strings(self, value: Any, key: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(key, "expected a list of non-empty strings")
        return list(value)

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
    ) -> _PatternSet:
        weighted = phrases if isinstance(phrases, Mapping) else dict.fromkeys(phrases, 1.0)
        labels = labels or {}
        set_id = self.set_count
        self.set_count += 1
        for index, phrase in enumerate(weighted):
            body, case_sensitive, keys = _compile_phrase(phrase)
            try:
                regex = re.compile(body, 0 if case_sensitive else re.IGNORECASE)
            except re.error as exc:
                raise self.fail(f"{key}.{phrase}", f"invalid regular expression: {exc}") from exc
            compiled = _Phrase(set_id=set_id, index=index, length=len(phrase), regex=regex)
            if keys:
                for k in keys:
                    self.by_key.setdefault(k, []).append(compiled)
            else:
                self.scanned.append(compiled)
        return _PatternSet(
            set_id=set_id,
            names=tuple(labels.get(phrase, phrase) for phrase in weighted),
            weights=tuple(float(w) for w in weighted.values()),
        )

    def scoring(self, value: Any, key: str, base: Mapping[str, float]) -> dict[str, float]:
        raw = self.mapping(value, key, allowed=frozenset(DEFAULT_SCORING))
        merged = dict(base)
        for name, item in raw.items():
            high = 20.0 if name == "lead_sentences" else 100.0
            merged[name] = self.number(item, f"{key}.{name}", low=0.0, high=high)
        if merged["saturation"] <= 0:
            raise self.fail(f"{key}.saturation", "must be greater than 0")
        return merged

    def topic(self, name: str, value: Any, defaults: Mapping[str, float]) -> _TopicSpec:
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
        return _TopicSpec(
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

    def rule(self, value: Any, key: str) -> _Rule:
        body = self.mapping(value, key, required=frozenset({"name", "weight", "sides"}), allowed=_RULE_KEYS)
        sides = self.mapping(body["sides"], f"{key}.sides")
        if len(sides) != 2:
            raise self.fail(f"{key}.sides", "expected exactly two actor sets")
        (name_a, actors_a), (name_b, actors_b) = sides.items()
        crowd = self.mapping(body.get("crowd", {}), f"{key}.crowd", allowed=_CROWD_KEYS)
        others = self.strings(crowd.get("others", []), f"{key}.crowd.others")
        context = self.strings(body.get("context", []), f"{key}.context")
        return _Rule(
            name=str(body["name"]),
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
            crowd_max_others=int(
                self.number(crowd.get("max_others", 99), f"{key}.crowd.max_others", low=0, high=99)
            ),
            crowd_factor=self.number(crowd.get("factor", 1.0), f"{key}.crowd.factor", low=0.0, high=1.0),
            crowd_others=self.patterns(others, f"{key}.crowd.others"),
        )

    def actors(self, value: Any, key: str) -> _PatternSet:
        """An actor set: a list (every actor has strength 1.0) or a mapping of actor -> strength in 0..1."""
        if isinstance(value, dict):
            strengths = {str(k): self.number(v, f"{key}.{k}", low=0.0, high=1.0) for k, v in value.items()}
            if not strengths:
                raise self.fail(key, "expected at least one actor")
            return self.patterns(strengths, key)
        return self.patterns(self.strings(value, key), key)

    def dampener(self, value: Any, key: str) -> _Dampener:
        body = self.mapping(value, key, required=frozenset({"factor", "patterns"}), allowed=_DAMPEN_KEYS)
        return _Dampener(
            factor=self.number(body["factor"], f"{key}.factor", low=0.0, high=1.0),
            patterns=self.patterns(self.strings(body["patterns"], f"{key}.patterns"), f"{key}.patterns"),
        )


def _regex_keys(pattern: str) -> tuple[str, ...]:
    """First-token keys of a raw regex when they are certain, else () and the regex is searched in full.

    Certain means the regex opens with a literal word, or a group of literal alternatives, that must be
    followed by a space or dash (``rare\\s+visit``, ``(?:yen|dollar)\\s+fell``), or with one Japanese character.
    """
    head = _REGEX_HEAD_RE.match(pattern)
    if head:
        return tuple(sorted({word.lower() for word in (head.group(1) or head.group(2)).split("|")}))
    if pattern and not pattern[0].isascii() and pattern[0].isalnum():
        return (pattern[0],)
    return ()


def _compile_phrase(phrase: str) -> tuple[str, bool, tuple[str, ...]]:
    """Turn a config phrase into (regex, case_sensitive, first-token keys).

    ``re:`` phrases are raw regular expressions (case-insensitive), indexed when :func:`_regex_keys` can.
    Plain phrases: spaces and hyphens match any run of spaces or dashes, dots are optional ("U.S." matches
    "US"), Latin words are whole words and may take a plural "s"/"es". A phrase without lowercase letters
    ("US", "JOGMEC") matches case-sensitively, so the pronoun "us" is not the United States.
    """
    if phrase.startswith("re:"):
        return phrase[3:], False, _regex_keys(phrase[3:])
    phrase = phrase.strip()
    tokens = [t for t in _PHRASE_SPLIT_RE.split(phrase) if t]
    # Dots are optional ("U.S." / "US"); a straight apostrophe also matches the typographic one ("China’s").
    body = _PHRASE_SEP.join(re.escape(t).replace("\\.", "\\.?").replace("'", "['\u2019]") for t in tokens)
    case_sensitive = not any(c.islower() for c in phrase)
    if phrase[-1].isascii() and phrase[-1].isalpha() and phrase[-1].islower():
        body += "(?:s|es)?"
    if phrase[-1].isascii() and phrase[-1].isalnum():
        body += f"(?![{_ASCII_WORD}])"
    first = _TOKEN_RE.match(phrase)
    if first is None:
        # Starts with punctuation ("$550"): no token to index, so search it with a word-boundary guard.
        return f"(?<![{_ASCII_WORD}]){body}", case_sensitive, ()
    keys = {first.group().lower()}
    initialism = _INITIALISM_RE.match(phrase)
    if initialism:
        keys.add(initialism.group().replace(".", "").lower())  # "U.S." is also written "US"
    return body, case_sensitive, tuple(sorted(keys))


# --------------------------------------------------------------------------------------------------------
# Segmentation


def _sentences(text: str) -> list[tuple[int, int, int]]:
    """Split text into (start, end, paragraph) spans, trimmed of surrounding whitespace."""
    spans: list[tuple[int, int, int]] = []
    paragraph = 0
    para_start = 0
    breaks = [(m.start(), m.end()) for m in _PARAGRAPH_BREAK_RE.finditer(text)] + [(len(text), len(text))]
    for para_end, next_start in breaks:
        start = para_start
        chunk_end = para_end
        for m in _SENTENCE_END_RE.finditer(text, para_start, para_end):
            if m.group()[0] == "." and _is_abbreviation(text, m.start()):
                continue
            _add_span(spans, text, start, m.end(), paragraph)
            start = m.end()
        _add_span(spans, text, start, chunk_end, paragraph)
        paragraph += 1
        para_start = next_start
    return spans


def _is_abbreviation(text: str, dot: int) -> bool:
    word_start = dot
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:dot].lstrip("(\"'\u201c\u2018").lower()
    # A single capital before the dot is an initial ("Donald J. Trump").
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _add_span(spans: list[tuple[int, int, int]], text: str, start: int, end: int, paragraph: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end, paragraph))


def _units(title: str, text: str, lead_sentences: int) -> list[_Unit]:
    units: list[_Unit] = []
    stripped = title.strip()
    if stripped:
        start = title.index(stripped)
        units.append(_Unit(FIELD_TITLE, start, start + len(stripped), 0, "title"))
    for i, (start, end, paragraph) in enumerate(_sentences(text)):
        lead = i < lead_sentences
        # The headline block (title + lead) is paragraph 0; text paragraphs are shifted by one after it.
        units.append(_Unit(FIELD_TEXT, start, end, 0 if lead else paragraph + 1, "lead" if lead else "body"))
    return units


# --------------------------------------------------------------------------------------------------------
# Scoring


def classify(title: str, text: str, topics: Topics) -> dict[str, TopicResult]:
    """Score an article against every configured topic.

    Args:
        title: the headline; may be empty.
        text: the clean article body or a feed summary; may be empty.
        topics: compiled configuration from :func:`load_topics`.

    Returns:
        One :class:`TopicResult` per topic, keyed by topic name, in config order.
    """
    title = title or ""
    text = text or ""
    found = {FIELD_TITLE: topics.matcher.scan(title), FIELD_TEXT: topics.matcher.scan(text)}
    segmentation: dict[int, _Locator] = {}
    results: dict[str, TopicResult] = {}
    for spec in topics.specs:
        locator = segmentation.get(spec.lead_sentences)
        if locator is None:
            locator = segmentation[spec.lead_sentences] = _Locator(_units(title, text, spec.lead_sentences))
        scan = _Scan(found, locator, spec.masks)
        results[spec.name] = _classify_topic(spec, {FIELD_TITLE: title, FIELD_TEXT: text}, scan)
    return results


class _Locator:
    """Maps a character offset in a field to the index of the unit that contains it."""

    def __init__(self, units: list[_Unit]) -> None:
        self.starts: dict[str, list[int]] = {FIELD_TITLE: [], FIELD_TEXT: []}
        self.index: dict[str, list[int]] = {FIELD_TITLE: [], FIELD_TEXT: []}
        self.units = units
        for i, unit in enumerate(units):
            self.starts[unit.field].append(unit.start)
            self.index[unit.field].append(i)

    def find(self, field: str, offset: int) -> int | None:
        pos = bisect_right(self.starts[field], offset) - 1
        if pos < 0:
            return None
        i = self.index[field][pos]
        return i if offset < self.units[i].end else None


class _Scan:
    """One article's phrase matches, binned into units, with one topic's masks applied."""

    def __init__(
        self,
        found: Mapping[str, dict[int, list[tuple[int, int, int]]]],
        locator: _Locator,
        masks: _PatternSet,
    ) -> None:
        self.found = found
        self.locator = locator
        self.units = locator.units
        self.masked = {
            field: [(start, end) for start, end, _ in by_set.get(masks.set_id, ())]
            for field, by_set in found.items()
        }

    def hits(self, patterns: _PatternSet) -> list[set[int]]:
        """Per unit, the indexes of the phrases of ``patterns`` found in it (masked spans excluded)."""
        hits: list[set[int]] = [set() for _ in self.units]
        for field, by_set in self.found.items():
            masked = self.masked[field]
            for start, end, index in by_set.get(patterns.set_id, ()):
                if masked and any(m_start < end and start < m_end for m_start, m_end in masked):
                    continue
                unit = self.locator.find(field, start)
                if unit is not None:
                    hits[unit].add(index)
        return hits


def _classify_topic(spec: _TopicSpec, source: Mapping[str, str], scan: _Scan) -> TopicResult:
    units = scan.units
    weights = [0.0] * len(units)
    labels: list[list[str]] = [[] for _ in units]

    for i, hits in enumerate(scan.hits(spec.terms)):
        for index in sorted(hits):
            weights[i] += spec.terms.weights[index]
            labels[i].append(spec.terms.names[index])

    _add_framed(spec, scan, weights, labels)
    for rule in spec.rules:
        _add_rule(rule, scan, weights, labels)
    for dampener in spec.dampeners:
        for i, hits in enumerate(scan.hits(dampener.patterns)):
            if hits and weights[i] > 0:
                weights[i] *= dampener.factor
                labels[i].append("dampened:" + dampener.patterns.names[min(hits)])

    contributions = _contributions(spec, units, weights)
    raw = sum(contributions)
    score = 1.0 - math.exp(-max(raw, 0.0) / spec.saturation)
    ranked = sorted((i for i, c in enumerate(contributions) if c > 0), key=lambda i: -contributions[i])
    evidence = tuple(
        Evidence(
            text=source[units[i].field][units[i].start : units[i].end],
            start=units[i].start,
            end=units[i].end,
            field=units[i].field,
            terms=tuple(dict.fromkeys(labels[i])),
        )
        for i in ranked[:MAX_EVIDENCE]
    )
    return TopicResult(
        topic=spec.name, score=round(score, 4), relevant=score >= spec.threshold, evidence=evidence
    )


def _add_framed(spec: _TopicSpec, scan: _Scan, weights: list[float], labels: list[list[str]]) -> None:
    """Framed terms count in a unit when it, or the headline block, also carries framing or a topic term."""
    if not spec.framed.names:
        return
    framed = scan.hits(spec.framed)
    if not any(framed):
        return
    framing = scan.hits(spec.framing)
    units = scan.units
    framed_units = [bool(framing[i]) or weights[i] > 0 for i in range(len(units))]
    headline_framed = any(framed_units[i] for i, u in enumerate(units) if u.paragraph == 0)
    for i, hits in enumerate(framed):
        if hits and (framed_units[i] or (units[i].paragraph == 0 and headline_framed)):
            for index in sorted(hits):
                weights[i] += spec.framed.weights[index]
                labels[i].append(spec.framed.names[index])


def _add_rule(rule: _Rule, scan: _Scan, weights: list[float], labels: list[list[str]]) -> None:
    """Add a co-occurrence rule: both actor sets in one sentence, or else in one paragraph.

    A pair counts at ``weight`` x the stronger actor's strength: "Trump" and "Takaichi" are governments
    acting, "an American skater beat Japan's champion" is two nationalities. A relations word in the same
    sentence ("summit", "tariff") adds ``context_bonus``.

    The headline is read together with its lead: a title naming one side, whose lead names the other
    ("U.S. Osprey crashes" + "... off southwestern Japan"), earns the paragraph weight even when the lead
    sentence also scores on its own, unless the title names a third country (then it is about that relation).
    """
    side_a = scan.hits(rule.sides[0])
    side_b = scan.hits(rule.sides[1])
    if not any(side_a) or not any(side_b):
        return
    others = scan.hits(rule.crowd_others)
    context = scan.hits(rule.context)
    units = scan.units
    strength = [
        max(
            [rule.sides[0].weights[k] for k in side_a[i]]
            + [rule.sides[1].weights[k] for k in side_b[i]]
            + [0.0]
        )
        for i in range(len(units))
    ]

    def credit(anchor: int, base: float, members: list[int], suffix: str) -> None:
        crowd = len(set().union(*(others[i] for i in members)))
        excess = max(0, crowd - rule.crowd_max_others)
        # Context only counts when both actors and the relations word share one sentence.
        has_context = len(members) == 1 and bool(context[anchor])
        actor_strength = max(strength[i] for i in members)
        weight = (
            base * actor_strength + (rule.context_bonus if has_context else 0.0)
        ) * rule.crowd_factor**excess
        weights[anchor] += weight
        labels[anchor].append(
            rule.name
            + suffix
            + (" +context" if has_context else "")
            + (f" (actors:{actor_strength:g})" if actor_strength < 1 else "")
            + (f" (crowded:{crowd})" if excess else "")
        )

    paragraphs: dict[int, list[int]] = {}
    for i, unit in enumerate(units):
        paragraphs.setdefault(unit.paragraph, []).append(i)
    for members in paragraphs.values():
        pairs = [i for i in members if side_a[i] and side_b[i]]
        for i in pairs:
            credit(i, rule.weight, [i], "")
        if rule.paragraph_weight <= 0:
            continue
        in_a = [i for i in members if side_a[i]]
        in_b = [i for i in members if side_b[i]]
        if not in_a or not in_b:
            continue
        head = members[0]
        if units[head].position == "title" and head not in pairs and (side_a[head] or side_b[head]):
            if not others[head]:
                partner = (in_b if side_a[head] else in_a)[0]
                credit(head, rule.paragraph_weight, [head, partner], " (headline+lead)")
        elif not pairs:
            credit(min(in_a[0], in_b[0]), rule.paragraph_weight, [in_a[0], in_b[0]], " (paragraph)")


def _contributions(spec: _TopicSpec, units: list[_Unit], weights: list[float]) -> list[float]:
    """Position-weighted contribution of each unit; body units get diminishing returns (1, 1/2, 1/3, ...)."""
    contributions = [0.0] * len(units)
    body: list[int] = []
    for i, unit in enumerate(units):
        if weights[i] <= 0:
            continue
        if unit.position == "title":
            contributions[i] = spec.title_boost * weights[i]
        elif unit.position == "lead":
            contributions[i] = spec.lead_boost * weights[i]
        else:
            body.append(i)
    body.sort(key=lambda i: -weights[i])
    for rank, i in enumerate(body):
        contributions[i] = spec.body_weight * weights[i] / (rank + 1)
    return contributions


# --------------------------------------------------------------------------------------------------------
# Serialisation


def result_to_json(results: Mapping[str, TopicResult]) -> dict[str, Any]:
    """Convert classification results to plain JSON-ready data.

    Args:
        results: the output of :func:`classify`.

    Returns:
        ``{topic: {"score", "relevant", "evidence": [{"text", "start", "end", "field", "terms"}]}}``.
    """
    return {
        name: {
            "score": result.score,
            "relevant": result.relevant,
            "evidence": [
                {"text": e.text, "start": e.start, "end": e.end, "field": e.field, "terms": list(e.terms)}
                for e in result.evidence
            ],
        }
        for name, result in results.items()
    }


# -- the pipeline stage ------------------------------------------------------------------
