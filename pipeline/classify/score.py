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

The configuration is compiled by :mod:`pipeline.classify.config`, phrases are found by
:mod:`pipeline.classify.matcher`, and sentences come from :func:`pipeline.text.split_sentences`; this module
turns the matches into scores and evidence.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.classify import model
from pipeline.classify.config import Rule, Topics, TopicSpec
from pipeline.classify.matcher import FIELD_TEXT, FIELD_TITLE, Locator, Scan, Unit
from pipeline.text import mask_markup, split_sentences

logger = logging.getLogger(__name__)

MAX_EVIDENCE = 5


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
    features: tuple[str, ...] = ()  # the learned model's top contributing features, in words
    rule_score: float | None = None  # the rules' own score, when the model gave ``score``



# --------------------------------------------------------------------------------------------------------
# Segmentation


def _units(title: str, text: str, lead_sentences: int) -> list[Unit]:
    units: list[Unit] = []
    stripped = title.strip()
    if stripped:
        start = title.index(stripped)
        units.append(Unit(FIELD_TITLE, start, start + len(stripped), 0, "title"))
    for i, sentence in enumerate(split_sentences(mask_markup(text), headings=False)):
        lead = i < lead_sentences
        # The headline block (title + lead) is paragraph 0; text paragraphs are shifted by one after it.
        paragraph = 0 if lead else sentence.paragraph + 1
        units.append(Unit(FIELD_TEXT, sentence.start, sentence.end, paragraph, "lead" if lead else "body"))
    return units


# --------------------------------------------------------------------------------------------------------
# Scoring


def classify(title: str, text: str, topics: Topics, *, use_model: bool = True) -> dict[str, TopicResult]:
    """Score an article against every configured topic.

    Args:
        title: the headline; may be empty.
        text: the clean article body or a feed summary; may be empty.
        topics: compiled configuration from :func:`pipeline.classify.config.load_topics`.
        use_model: when the topics carry a learned model (:mod:`pipeline.classify.model`), its calibrated
            probability is the score, and :func:`pipeline.classify.model.decide` combines the verdicts;
            False scores with the rules alone.

    Returns:
        One :class:`TopicResult` per topic, keyed by topic name, in config order. The evidence is always
        the rules' (passages and terms with spans); the model adds its top features.
    """
    title = title or ""
    text = text or ""
    found = {FIELD_TITLE: topics.matcher.scan(title), FIELD_TEXT: topics.matcher.scan(text)}
    segmentation: dict[int, Locator] = {}
    results: dict[str, TopicResult] = {}
    for spec in topics.specs:
        locator = segmentation.get(spec.lead_sentences)
        if locator is None:
            locator = segmentation[spec.lead_sentences] = Locator(_units(title, text, spec.lead_sentences))
        scan = Scan(found, locator, spec.masks)
        results[spec.name] = _classify_topic(spec, {FIELD_TITLE: title, FIELD_TEXT: text}, scan)
    learned = topics.model if use_model else None
    # The model can only add a story the rules found evidence in (model.decide): without any evidence the
    # verdict is the rules' (not relevant, score 0) and the model is not run, which keeps feed summaries fast.
    if learned is None or not any(r.evidence for r in results.values()):
        return results
    signals = {name: model.rule_features(r.score, r.relevant, [term for e in r.evidence for term in e.terms])
               for name, r in results.items()}
    verdicts = model.predict(learned, title, text, signals)
    for name, result in results.items():
        verdict = verdicts.get(name)
        if verdict is not None:
            results[name] = TopicResult(topic=name, score=verdict.probability,
                                        relevant=model.decide(result.relevant, verdict.relevant,
                                                              bool(result.evidence)),
                                        evidence=result.evidence, features=verdict.features,
                                        rule_score=result.score)
    return results


def _classify_topic(spec: TopicSpec, source: Mapping[str, str], scan: Scan) -> TopicResult:
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


def _add_framed(spec: TopicSpec, scan: Scan, weights: list[float], labels: list[list[str]]) -> None:
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


def _add_rule(rule: Rule, scan: Scan, weights: list[float], labels: list[list[str]]) -> None:
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


def _contributions(spec: TopicSpec, units: list[Unit], weights: list[float]) -> list[float]:
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
        ``{topic: {"score", "relevant", "evidence": [{"text", "start", "end", "field", "terms"}]}}``, plus
        ``"features"`` (the model's top features in words) and ``"rule_score"`` when a model scored.
    """
    return {
        name: {
            "score": result.score,
            "relevant": result.relevant,
            **({"features": list(result.features), "rule_score": result.rule_score}
               if result.rule_score is not None else {}),
            "evidence": [
                {"text": e.text, "start": e.start, "end": e.end, "field": e.field, "terms": list(e.terms)}
                for e in result.evidence
            ],
        }
        for name, result in results.items()
    }

