"""The learned relevance model: features in plain Python, a JSON artifact, calibrated scores per topic.

The rules of :mod:`pipeline.classify.score` find evidence and give a score; the model reads the rules'
signals together with the words of the story and says how likely it is that an annotator would call the
story relevant. Per topic it is a logistic regression over

- **words**: lower-cased Latin words and adjacent word pairs of title and text, the title's words again
  under a ``title:`` prefix (a headline says what a story is about), and character pairs of Japanese
  runs (Japanese has no spaces). Counts are damped (``1 + log tf``), weighted by idf and L2-normalised;
- **rules**: the rules' score for the topic, whether they called it relevant, and every term or
  co-occurrence rule that fired in the evidence ("us+japan +context", "rare earths").

The logit goes through Platt scaling (``1 / (1 + exp(-(a * logit + b)))``), so 0.8 means that about 80% of
such stories were relevant in cross-validation, and the topic's threshold was chosen on cross-validated
predictions for recall first (:mod:`pipeline.classify.train` fits all of it; scikit-learn is needed
only there). Inference is dictionary look-ups: no scikit-learn or numpy import at run time.

The artifact (``classifier_model.json`` beside the topics file; the shipped one is ``config/models/relevance_model.json``, opt-in) names the rules version it was trained with; a model
trained for other rules is not used (the rules alone score, and a warning says so).
"""

from __future__ import annotations

import functools
import heapq
import json
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

MODEL_CODE_VERSION = "m1"
FORMAT = "newswatch-relevance-model/1"
DEFAULT_MODEL_FILE_NAME = "classifier_model.json"
TOP_FEATURES = 5
TITLE_PREFIX = "title:"
RULE_PREFIX = "rule:"
JA_PREFIX = "ja:"
RULE_SCORE = "rule:score"
RULE_RELEVANT = "rule:relevant"

_WORD_RE = re.compile(r"[a-z0-9]+(?:['\u2019][a-z]+)?")
_JA_RUN_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]+")
# "(actors:0.6)", "(crowded:4)": rule labels carry numbers that vary by story; the model learns the rule.
_LABEL_DETAIL_RE = re.compile(r"\s*\((?:actors|crowded):[^)]*\)")


@dataclass(frozen=True)
class TopicModel:
    """One topic's weights, Platt calibration and threshold."""

    bias: float
    weights: Mapping[str, float]
    platt_a: float
    platt_b: float
    threshold: float


@dataclass(frozen=True)
class Model:
    """A loaded artifact: the shared vocabulary (idf) and one :class:`TopicModel` per topic."""

    version: str
    rules_version: str
    idf: Mapping[str, float]
    topics: Mapping[str, TopicModel]
    path: Path | None = None
    # feature -> (idf, then per topic of topic_names: weight x idf): one look-up scores every topic
    table: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    topic_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """The model's view of one story for one topic: calibrated probability, decision, top features."""

    probability: float
    relevant: bool
    features: tuple[str, ...]


# --------------------------------------------------------------------------------------------------------
# Features (shared by training and inference, so both see the same thing)


def text_counts(title: str, text: str) -> dict[str, int]:
    """Raw counts of the word, word-pair, title-word and Japanese character-pair features of a story."""
    counts: dict[str, int] = {}
    headline = _WORD_RE.findall(title.lower())
    for words, prefix in ((headline, ""), (_WORD_RE.findall(text.lower()), ""), (headline, TITLE_PREFIX)):
        previous = None
        for word in words:
            key = prefix + word
            counts[key] = counts.get(key, 0) + 1
            if previous is not None:
                pair = previous + " " + word
                counts[pair] = counts.get(pair, 0) + 1
            previous = key
    for source in (title, text):
        for run in _JA_RUN_RE.findall(source):
            for i in range(len(run) - 1):
                key = JA_PREFIX + run[i : i + 2]
                counts[key] = counts.get(key, 0) + 1
    return counts


def rule_features(score: float, relevant: bool, labels: list[str]) -> dict[str, float]:
    """The rules' signals for one topic as features: score, decision, and each fired term or rule once."""
    features = {RULE_SCORE: score, RULE_RELEVANT: 1.0 if relevant else 0.0}
    for label in labels:
        features[_rule_key(label)] = 1.0
    return features


@functools.lru_cache(maxsize=4096)
def _rule_key(label: str) -> str:
    return RULE_PREFIX + _LABEL_DETAIL_RE.sub("", label)


def weighted_text(counts: Mapping[str, int], idf: Mapping[str, float]) -> dict[str, float]:
    """Sublinear tf x idf over the known vocabulary, L2-normalised (unknown features are dropped)."""
    vector = {key: (1.0 + math.log(n)) * idf[key] for key, n in counts.items() if key in idf}
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {key: v / norm for key, v in vector.items()} if norm else vector


def sigmoid(x: float) -> float:
    """The logistic function, safe for large magnitudes."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def describe(feature: str) -> str:
    """A feature in words: ``japan alliance`` -> "japan … alliance", ``title:tariff`` -> "tariff (headline)"."""
    if feature.startswith(RULE_PREFIX):
        name = feature[len(RULE_PREFIX):]
        return {"score": "the rules' score", "relevant": "the rules' verdict"}.get(name, f"rule: {name}")
    if feature.startswith(JA_PREFIX):
        return feature[len(JA_PREFIX):]
    headline = feature.startswith(TITLE_PREFIX)
    words = feature[len(TITLE_PREFIX):] if headline else feature
    words = " \u2026 ".join(words.split(" "))
    return f"{words} (headline)" if headline else words


# --------------------------------------------------------------------------------------------------------
# Inference


def decide(rules_relevant: bool, model_relevant: bool, has_evidence: bool) -> bool:
    """The combined verdict: the model decides, among the stories the rules found evidence in.

    The model, not the rules' threshold, decides, so that an analyst's "not relevant" mark can take a story
    out (``rules_relevant`` is read by the model as a feature, not obeyed). Evidence is required because the
    alerts, the monitor page and ``fct_story_evidence`` show passages, and a story the rules find nothing
    in (a copper mine, a lithium-ion battery fire) is the model guessing from words.
    """
    del rules_relevant  # a feature of the model already
    return model_relevant and has_evidence


def predict(model: Model, title: str, text: str,
            rules: Mapping[str, Mapping[str, float]]) -> dict[str, Verdict]:
    """Score one story for every topic of the model.

    One pass over the story's features serves every topic: the model keeps, per feature, its idf and
    each topic's weight x idf, so the logit is ``bias + sum(tf * weight x idf) / norm`` without building
    the normalised vector.

    Args:
        model: the loaded artifact.
        title: the headline.
        text: the body or summary.
        rules: per topic, :func:`rule_features` of the rules' result.

    Returns:
        Per topic the model knows, the calibrated verdict; a relevant one names its top contributing
        features in words.
    """
    names = model.topic_names
    table = model.table
    keys: list[str] = []
    rows: list[tuple[float, ...]] = []
    for key, n in text_counts(title, text).items():
        row = table.get(key)
        if row is not None:
            keys.append(key)
            rows.append(row if n == 1 else tuple(v * (1.0 + math.log(n)) for v in row))
    # Column sums run in C (zip, sum); a Python loop per feature and topic halves the items per second.
    columns = list(zip(*rows, strict=True)) if rows else [()] * (len(names) + 1)
    norm = math.sqrt(sum(v * v for v in columns[0])) or 1.0
    verdicts: dict[str, Verdict] = {}
    for t, name in enumerate(names, start=1):
        tm = model.topics[name]
        rule_parts = [(tm.weights.get(key, 0.0) * value, key) for key, value in rules.get(name, {}).items()]
        logit = tm.bias + sum(columns[t]) / norm + sum(c for c, _ in rule_parts)
        probability = sigmoid(tm.platt_a * logit + tm.platt_b)
        relevant = probability >= tm.threshold
        features: tuple[str, ...] = ()
        if relevant:  # the explanation is read for relevant stories; ranking costs more than scoring
            parts = heapq.nlargest(TOP_FEATURES, [(v / norm, key) for v, key in zip(columns[t], keys, strict=True)
                                                  if v > 0] + [c for c in rule_parts if c[0] > 0])
            features = tuple(describe(key) for _, key in parts)
        verdicts[name] = Verdict(probability=round(probability, 4), relevant=relevant, features=features)
    return verdicts


# --------------------------------------------------------------------------------------------------------
# Artifact


def load_model(path: Path) -> Model | None:
    """Read an artifact, or None when the file does not exist.

    Raises:
        ValueError: the file is not a model artifact of this format.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    data = json.loads(raw)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a {FORMAT} artifact")
    vocabulary = list(data["vocabulary"])
    idf = dict(zip(vocabulary, (float(v) for v in data["idf"]), strict=True))
    topics: dict[str, TopicModel] = {}
    for name, body in data["topics"].items():
        names = vocabulary + list(body["rule_features"])
        weights = {k: float(w) for k, w in zip(names, body["weights"], strict=True) if w}
        topics[name] = TopicModel(bias=float(body["bias"]), weights=weights, platt_a=float(body["platt"][0]),
                                  platt_b=float(body["platt"][1]), threshold=float(body["threshold"]))
    topic_names = tuple(topics)
    table = {key: (value, *(topics[t].weights.get(key, 0.0) * value for t in topic_names))
             for key, value in idf.items()}
    return Model(version=str(data["version"]), rules_version=str(data["rules_version"]), idf=idf,
                 topics=topics, path=path, table=table, topic_names=topic_names)


def artifact_json(data: Mapping[str, Any]) -> bytes:
    """The artifact's bytes: sorted keys, compact, one trailing newline (a retrain gives the same bytes)."""
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")
