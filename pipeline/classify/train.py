"""Train the relevance model of :mod:`pipeline.classify.model` from labelled items (and analysts' marks).

Deterministic: items are sorted by id, folds come from a hash of the id, the solver is liblinear with a
fixed seed, and numbers are rounded before they are written, so the same data, rules and code give a
byte-identical artifact. Per topic:

1. the rules score every item (:func:`pipeline.classify.score.classify`); their signals become features
   beside the words (:func:`pipeline.classify.model.text_counts`);
2. inner k-fold cross-validation over the training items gives every item a logit from a model that did
   not see it; Platt scaling is fitted on those logits, and the threshold is the highest calibrated
   probability that still keeps :data:`RECALL_TARGET` of the cross-validated positives the rules found
   evidence for (never below :data:`THRESHOLD_FLOOR`): recall first, a missed story is the worst failure
   of a monitor. The model's verdict is combined with the rules' by :func:`pipeline.classify.model.decide`;
3. the final logistic regression is fitted on every item.

Labels: 2 = central (relevant), 0 = not relevant, 1 = substantive secondary, trained as relevant with
weight :data:`SECONDARY_WEIGHT` (a monitor should surface them, the eval leaves them out of P/R).
scikit-learn is imported here only; run time needs none of it.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from pipeline.classify import model as model_mod
from pipeline.classify.config import Topics
from pipeline.classify.score import TopicResult, classify

logger = logging.getLogger(__name__)

SEED = 14
FOLDS = 5
RECALL_TARGET = 0.96
THRESHOLD_FLOOR = 0.05
SECONDARY_WEIGHT = 0.5
MIN_DF = 2
C = 1.0
POSITIVE_WEIGHT = 2.0
DIGITS = 6
# An analyst's correction weighs as much as this many labelled items: one mark must be able to move
# the story it corrects, or teaching the model would not take effect.
FEEDBACK_WEIGHT = 8.0


@dataclass(frozen=True)
class TrainOptions:
    """The choices nested cross-validation compared (docs/CLASSIFY.md has the table)."""

    c: float = C
    positive_weight: float = POSITIVE_WEIGHT
    secondary_weight: float = SECONDARY_WEIGHT
    recall_target: float = RECALL_TARGET
    min_df: int = MIN_DF
    text: bool = True
    rules: bool = True


@dataclass(frozen=True)
class Example:
    """One labelled item's features: text counts, and per topic the rules' features and label."""

    id: str
    counts: Mapping[str, int]
    rules: Mapping[str, Mapping[str, float]]
    labels: Mapping[str, int | None]
    results: Mapping[str, TopicResult]
    weight: float = 1.0


def fold_of(item_id: str, folds: int = FOLDS, salt: str = "") -> int:
    """The fold of an item, from the SHA-256 of its id (``salt`` gives inner folds independent of outer)."""
    return int(hashlib.sha256((salt + item_id).encode("utf-8")).hexdigest(), 16) % folds


def examples(items: Sequence[Mapping[str, Any]], topics: Topics) -> list[Example]:
    """Score every item with the rules and collect its features, sorted by id."""
    out: list[Example] = []
    for item in sorted(items, key=lambda i: str(i["id"])):
        title, text = str(item.get("title") or ""), str(item.get("text") or "")
        results = classify(title, text, topics, use_model=False)
        rules = {name: model_mod.rule_features(r.score, r.relevant, [t for e in r.evidence for t in e.terms])
                 for name, r in results.items()}
        labels = {name: item.get(name) if item.get(name) in (0, 1, 2) else None for name in topics.names}
        out.append(Example(str(item["id"]), model_mod.text_counts(title, text), rules, labels, results,
                           float(item.get("weight") or 1.0)))
    return out


def merge_items(files: Sequence[Sequence[Mapping[str, Any]]],
                feedback: Sequence[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """Labelled file items plus analysts' marks; a mark wins over a file label of the same story and topic.

    A mark's item (``pipeline.classify.feedback.training_items``) says 1 for relevant and 0 for not; a
    relevant mark becomes label 2 (central) here. The same story is recognised by its title and text.
    A marked item weighs :data:`FEEDBACK_WEIGHT` in training.
    """
    merged: dict[str, dict[str, Any]] = {}
    by_content: dict[tuple[str, str], str] = {}
    for items in files:
        for item in items:
            copy = dict(item)
            merged[str(copy["id"])] = copy
            by_content[(str(copy.get("title") or ""), str(copy.get("text") or ""))] = str(copy["id"])
    for mark in feedback:
        labels = {t: 2 if v else 0 for t, v in dict(mark.get("labels") or {}).items()}
        key = (str(mark.get("title") or ""), str(mark.get("text") or ""))
        target = merged.get(by_content.get(key, ""))
        if target is None:
            target = merged[str(mark["id"])] = {k: v for k, v in mark.items() if k != "labels"}
        target.update(labels)
        target["weight"] = FEEDBACK_WEIGHT
    return [merged[k] for k in sorted(merged)]


# --------------------------------------------------------------------------------------------------------
# Fitting


def _idf(train: Sequence[Example], min_df: int) -> dict[str, float]:
    df: dict[str, int] = {}
    for ex in train:
        for key in ex.counts:
            df[key] = df.get(key, 0) + 1
    n = len(train)
    return {k: round(math.log((1 + n) / (1 + d)) + 1.0, DIGITS) for k, d in sorted(df.items()) if d >= min_df}


def _targets(train: Sequence[Example], topic: str, options: TrainOptions) -> tuple[list[int], list[int], list[float]]:
    rows, y, weight = [], [], []
    for i, ex in enumerate(train):
        label = ex.labels[topic]
        if label is None or (label == 1 and options.secondary_weight <= 0):
            continue
        rows.append(i)
        y.append(1 if label else 0)
        base = options.positive_weight * (options.secondary_weight if label == 1 else 1.0) if label else 1.0
        weight.append(base * ex.weight)
    return rows, y, weight


def _vectors(exs: Sequence[Example], topic: str, idf: Mapping[str, float],
             options: TrainOptions) -> list[dict[str, float]]:
    out = []
    for ex in exs:
        v: dict[str, float] = model_mod.weighted_text(ex.counts, idf) if options.text else {}
        if options.rules:
            v.update(ex.rules[topic])
        out.append(v)
    return out


@dataclass(frozen=True)
class Fitted:
    """A fitted linear model: feature name -> weight, and the bias."""

    bias: float
    weights: dict[str, float]

    def logit(self, vector: Mapping[str, float]) -> float:
        return self.bias + sum(self.weights.get(k, 0.0) * v for k, v in vector.items())


def _fit(vectors: Sequence[Mapping[str, float]], y: Sequence[int], weight: Sequence[float],
         c: float) -> Fitted:
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    names = sorted({k for v in vectors for k in v})
    index = {k: i for i, k in enumerate(names)}
    data, cols, ptr = [], [], [0]
    for v in vectors:
        for k in sorted(v):
            data.append(v[k])
            cols.append(index[k])
        ptr.append(len(data))
    matrix = csr_matrix((data, cols, ptr), shape=(len(vectors), len(names)))
    lr = LogisticRegression(C=c, solver="liblinear", random_state=SEED, max_iter=1000)
    lr.fit(matrix, list(y), sample_weight=list(weight))
    weights = {k: round(float(w), DIGITS) for k, w in zip(names, lr.coef_[0], strict=True)}
    return Fitted(round(float(lr.intercept_[0]), DIGITS), weights)


def _platt(logits: Sequence[float], y: Sequence[int]) -> tuple[float, float]:
    """Platt scaling: a one-feature logistic regression of the label on the logit."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000)
    lr.fit([[x] for x in logits], list(y))
    return round(float(lr.coef_[0][0]), DIGITS), round(float(lr.intercept_[0]), DIGITS)


def choose_threshold(probabilities: Sequence[float], y: Sequence[int], recall_target: float) -> float:
    """The highest threshold that keeps ``recall_target`` of the positives, never below the floor."""
    positives = sorted((p for p, t in zip(probabilities, y, strict=True) if t), reverse=True)
    if not positives:
        return 0.5
    keep = max(1, math.ceil(recall_target * len(positives)))
    return round(max(THRESHOLD_FLOOR, min(0.5, positives[keep - 1])), DIGITS)


@dataclass(frozen=True)
class TopicFit:
    """Everything the artifact holds for one topic."""

    idf: dict[str, float]
    fitted: Fitted
    platt: tuple[float, float]
    threshold: float

    def probability(self, ex: Example, topic: str, options: TrainOptions) -> float:
        logit = self.fitted.logit(_vectors([ex], topic, self.idf, options)[0])
        return model_mod.sigmoid(self.platt[0] * logit + self.platt[1])


def fit_topic(train: Sequence[Example], topic: str, options: TrainOptions, folds: int = FOLDS) -> TopicFit:
    """Fit one topic: inner CV logits -> Platt and threshold, then the model on all of ``train``."""
    rows, y, weight = _targets(train, topic, options)
    logits = [0.0] * len(rows)
    for k in range(folds):
        inner = [j for j, r in enumerate(rows) if fold_of(train[r].id, folds, "inner") != k]
        held = [j for j, r in enumerate(rows) if fold_of(train[r].id, folds, "inner") == k]
        if not inner or not held:
            continue
        fold_train = [train[rows[j]] for j in inner]
        idf = _idf(fold_train, options.min_df)
        fitted = _fit(_vectors(fold_train, topic, idf, options), [y[j] for j in inner],
                      [weight[j] for j in inner], options.c)
        for j, v in zip(held, _vectors([train[rows[j]] for j in held], topic, idf, options), strict=True):
            logits[j] = fitted.logit(v)
    platt = _platt(logits, y)
    # Only stories with evidence can be relevant (score.classify); the threshold is set on those.
    central = [(model_mod.sigmoid(platt[0] * x + platt[1]), t) for x, t, r in zip(logits, y, rows, strict=True)
               if train[r].labels[topic] != 1 and train[r].results[topic].evidence]
    threshold = choose_threshold([p for p, _ in central], [t for _, t in central], options.recall_target)
    idf = _idf(train, options.min_df)
    fitted = _fit(_vectors([train[r] for r in rows], topic, idf, options), y, weight, options.c)
    return TopicFit(idf, fitted, platt, threshold)


def cv_predictions(exs: Sequence[Example], topics: Sequence[str], options: TrainOptions,
                   folds: int = FOLDS) -> dict[str, list[tuple[float, bool]]]:
    """Nested cross-validation: for each outer fold (by hash of id) fit on the rest, score the fold.

    Returns:
        Per topic, one ``(calibrated probability, relevant)`` per example, in the order of ``exs``, each from
        a model, calibration and threshold that never saw the example.
    """
    out: dict[str, list[tuple[float, bool]]] = {t: [(0.0, False)] * len(exs) for t in topics}
    for k in range(folds):
        train = [ex for ex in exs if fold_of(ex.id, folds) != k]
        test = [i for i, ex in enumerate(exs) if fold_of(ex.id, folds) == k]
        for topic in topics:
            fit = fit_topic(train, topic, options, folds)
            for i in test:
                p = fit.probability(exs[i], topic, options)
                rules = exs[i].results[topic]
                out[topic][i] = (p, model_mod.decide(rules.relevant, p >= fit.threshold, bool(rules.evidence)))
    return out


def artifact(exs: Sequence[Example], topics: Topics, options: TrainOptions, data_digest: str) -> dict[str, Any]:
    """Fit every topic on all examples and return the artifact as JSON-ready data."""
    fits = {name: fit_topic(exs, name, options) for name in topics.names}
    idf = _idf(exs, options.min_df)
    vocabulary = sorted(idf)
    code = hashlib.sha256((inspect.getsource(model_mod) + inspect.getsource(_module())).encode()).hexdigest()
    digest = hashlib.sha256("\0".join([data_digest, topics.rules_version, code,
                                       repr(sorted(asdict(options).items()))]).encode()).hexdigest()[:10]
    body: dict[str, Any] = {}
    for name, fit in fits.items():
        rule_names = sorted(k for k in fit.fitted.weights if k.startswith(model_mod.RULE_PREFIX))
        body[name] = {
            "bias": fit.fitted.bias,
            "weights": [fit.fitted.weights.get(k, 0.0) for k in vocabulary]
            + [fit.fitted.weights[k] for k in rule_names],
            "rule_features": rule_names,
            "platt": list(fit.platt),
            "threshold": fit.threshold,
        }
    return {
        "format": model_mod.FORMAT,
        "version": f"{model_mod.MODEL_CODE_VERSION}-{digest}",
        "rules_version": topics.rules_version,
        "options": asdict(options),
        "examples": len(exs),
        "vocabulary": vocabulary,
        "idf": [idf[k] for k in vocabulary],
        "topics": body,
    }


def build(items: Sequence[Mapping[str, Any]], topics: Topics, options: TrainOptions | None = None) -> bytes:
    """Train on labelled items and return the artifact's bytes (the same items give the same bytes).

    Args:
        items: labelled items (``id``, ``title``, ``text``, a 0/1/2 label per topic), e.g. from
            :func:`merge_items`.
        topics: the rules the model is trained with (and for).
        options: the training choices; default :class:`TrainOptions`.

    Returns:
        The artifact, to write as ``classifier_model.json`` beside the topics file.

    Raises:
        ValueError: a topic has no positive or no negative item.
    """
    options = options or TrainOptions()
    exs = examples(items, topics)
    for name in topics.names:
        labels = {ex.labels[name] for ex in exs} - {None}
        if 0 not in labels or not labels & {1, 2}:
            raise ValueError(f"topic {name}: training needs relevant and not-relevant items")
    canonical = json.dumps([{k: item.get(k) for k in ("id", "title", "text", "weight", *topics.names)}
                            for item in sorted(items, key=lambda i: str(i["id"]))],
                           ensure_ascii=False, sort_keys=True)
    data_digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return model_mod.artifact_json(artifact(exs, topics, options, data_digest))


def _module() -> Any:
    import sys

    return sys.modules[__name__]


Progress = Callable[[str], None]
