"""Alert wording: why a story matched, in words, and its key facts as clauses, from what the warehouse stores.

"Why it matched" reads the classifier's evidence (each sentence with the labels that fired in it). A label
of a co-occurrence rule (``us+japan +context (actors:0.6)``) is an internal name: the rule is looked up
in the topics file and the actors and relations words it found are read back off the sentence itself, so
the reader sees "mentions Trump and Takaichi in the headline; summit". Any other label is a term the
reader recognises ("rare earths", "$550 billion", a learned model's top words) and is shown as it is.

A key fact is built from the fact's structured fields (subject, type, status, date, amount, due date);
a fact whose subject is a fragment of a sentence (it starts or ends on a function word, or its brackets
do not close) makes no clause and is left out.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.views import evidence

logger = logging.getLogger(__name__)

MAX_REASONS = 3
MAX_TERMS = 5
SUBJECT_CHARS = 140

# A rule's label: its name, how the pair was found, and its score details (pipeline/classify/score.py).
_RULE_LABEL = re.compile(r"^(?P<name>\S+?)(?P<how> \((?:headline\+lead|paragraph)\))?(?: \+context)?"
                         r"(?: \(actors:[\d.]+\))?(?: \(crowded:\d+\))?$")

# Words a clause does not end on (or, the first list, start with): the subject was cut mid-phrase.
_OPEN_END = frozenset("""a an the of to for with by from in into on at as and or but nor than that which who whom
whose while within under over between among toward towards about after before during including its their our
his her your my this these those such any each every no not be been being is are was were will would can could
may might must shall should has have had do does did""".split())
_OPEN_START = frozenset("which that who whom whose while and or but nor including as than whether if".split())
_BRACKETS = (("(", ")"), ("[", "]"), ("“", "”"))

# Endings that make another form of one word (same_word): plurals, demonyms, verb endings.
_ENDINGS = ("s", "es", "ese", "an", "n", "ian", "d", "ed", "ing")
_WORD = re.compile(r"[\w'’$.-]+")

STATUS_WORDS = {"happened": "done", "announced": "announced", "planned": "planned", "expected": "expected",
                "proposed": "proposed", "cancelled": "cancelled", "denied": "denied"}


@lru_cache(maxsize=4)
def _rules(topics_file: str) -> dict[str, dict[str, Any]]:
    """Per topic, its co-occurrence rules by name: (matcher, side pattern sets, side names, context set)."""
    from pipeline.classify.config import load_topics

    topics = load_topics(Path(topics_file))
    return {spec.name: {rule.name: (topics.matcher, rule) for rule in spec.rules} for spec in topics.specs}


def rules_of(topic: str) -> dict[str, Any]:
    """The topic's co-occurrence rules by name; none when the topics file cannot be read (labels then shown bare)."""
    from pipeline import settings

    try:
        return _rules(str(settings.load().topics_file)).get(topic, {})
    except Exception as exc:  # noqa: BLE001 - a broken topics file must not stop alerts; the label is shown bare
        logger.warning("alerts: topics file unreadable, matched rules shown by name: %s", exc)
        return {}


def _found(matcher: Any, patterns: Any, text: str) -> list[str]:
    """The phrases of one pattern set found in ``text``, as written there, in order, once each."""
    spans = sorted(matcher.scan(text).get(patterns.set_id, ()))
    return list(dict.fromkeys(text[start:end] for start, end, _ in spans))


def _where(field: str | None) -> str:
    return "in the headline" if field == evidence.FIELD_TITLE else "in the text"


def _pair_words(rule_and_matcher: tuple[Any, Any], sentence: evidence.Sentence, how: str | None) -> tuple[str, list[str]]:
    """"mentions X and Y in the headline" for a rule label, and the relations words of the sentence."""
    matcher, rule = rule_and_matcher
    sides = [_found(matcher, side, sentence.text)[:1] for side in rule.sides]  # the first actor of each side
    context = _found(matcher, rule.context, sentence.text)
    named = [" and ".join(actors) if actors else f"the {name} side" for actors, name in zip(sides, rule.side_names,
                                                                                           strict=True)]
    where = _where(sentence.field)
    if how and "headline+lead" in how:
        where = "in the headline and its lead"
    elif how and "paragraph" in how:
        where = "in one paragraph"
    return f"mentions {named[0]} and {named[1]} {where}", context


def _forms(word: str) -> set[str]:
    """The word (lower case, no possessive) and its common English inflections and demonyms."""
    word = word.lower().replace("’", "'").removesuffix("'s").removesuffix("'")
    forms = {word} | {word + end for end in _ENDINGS}
    if len(word) > 3 and word[-1] in "aey":  # China/Chinese, agree/agreeing, policy/policies
        forms |= {word[:-1] + end for end in _ENDINGS + ("ies",)}
    return forms


def same_word(a: str, b: str) -> bool:
    """``a`` and ``b`` are one word but for case and inflection: tariff/tariffs, Japan/Japanese, agree/agreed."""
    return b.lower().replace("’", "'").removesuffix("'s").removesuffix("'") in _forms(a) or \
        a.lower().replace("’", "'").removesuffix("'s").removesuffix("'") in _forms(b)


def why_matched(sentences: Sequence[evidence.Sentence], topic: str,
                rules: Mapping[str, Any] | None = None) -> str:
    """Why a story matched a topic, in words: who it mentions where, then the relations words and terms.

    Args:
        sentences: the classification's evidence (headline first when it scored).
        topic: the topic, to read its rules.
        rules: the topic's rules by name (default: from the topics file).

    Returns:
        e.g. "mentions Japan and the United States in the headline; tariff; rare earths"; empty when
        no sentence carries a label.
    """
    rules = rules_of(topic) if rules is None else rules
    reasons: list[str] = []
    words: list[str] = []
    for sentence in sentences:
        for label in sentence.terms:
            match = _RULE_LABEL.match(label)
            rule = rules.get(match.group("name")) if match else None
            if rule is None and match and "+" in match.group("name") and not rules:
                # No topics file to read the rule from: its sides by name.
                reasons.append(f"mentions {' and '.join(match.group('name').split('+'))} {_where(sentence.field)}")
                continue
            if rule is None:
                words.append(label)
                continue
            reason, context = _pair_words(rule, sentence, match.group("how") if match else None)
            reasons.append(reason)
            words += [w.lower() if w.isupper() else w for w in context]  # "TRADE" in a shouted heading
    # One "mentions" per place (the headline, the text): the first, where the story says it most plainly.
    by_place: dict[str, str] = {}
    for reason in reasons:
        by_place.setdefault(reason.rsplit(" in ", 1)[-1], reason)
    reasons = list(by_place.values())[:MAX_REASONS]
    # A term once, whatever its case or inflection ("tariffs" after "tariff"), and not at all when it only
    # names again who the reasons already mention ("Japanese" after "mentions Japan and ...").
    named = [w for reason in reasons for w in _WORD.findall(reason)]
    seen: dict[str, str] = {}
    for word in words:
        parts = _WORD.findall(word)
        if parts and all(any(same_word(p, n) for n in named) for p in parts):
            continue
        if not any(len(parts) == len(k.split()) and all(map(same_word, parts, k.split())) for k in seen):
            seen[" ".join(parts) or word] = word
    terms = list(seen.values())[:MAX_TERMS]
    return "; ".join(reasons + ([", ".join(terms)] if terms else []))


# -- key facts ------------------------------------------------------------------------------


def amount_words(value: float | None, currency: str | None) -> str:
    """An amount as a reader writes it: "550 billion USD", "1.5 million USD", "12,000 USD"."""
    if value is None:
        return ""
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= scale:
            return f"{value / scale:,.3g} {word} {currency or ''}".strip()
    return f"{value:,.0f} {currency or ''}".strip()


def is_clause(subject: str | None) -> bool:
    """Whether a fact's subject reads as a phrase of its own, not a piece cut out of a sentence."""
    words = re.findall(r"[\w$%'’.-]+", subject or "")
    if not words or not re.search(r"[^\W\d_]", subject or ""):
        return False
    if words[0].lower() in _OPEN_START or words[-1].lower().strip(".") in _OPEN_END:
        return False
    return all((subject or "").count(o) == (subject or "").count(c) for o, c in _BRACKETS)


def _day(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def fact_clause(fact: Mapping[str, Any]) -> str | None:
    """One key fact as a clause: subject, what it is and its status, its date, its amount, when it is due.

    Args:
        fact: the fact's fields (``subject``, ``event_type``, ``status``, ``event_date``, ``amount_value``,
            ``amount_currency``, ``due_date``).

    Returns:
        e.g. "$15 billion to produce electronic components: investment announced, 15 billion USD"; None
        when the subject is a fragment.
    """
    subject = " ".join(str(fact.get("subject") or "").split())
    if not is_clause(subject):
        return None
    subject = evidence.at_word(subject, SUBJECT_CHARS)
    kind = str(fact.get("event_type") or "event").replace("_", " ")
    status = STATUS_WORDS.get(str(fact.get("status")), str(fact.get("status") or ""))
    clause = f"{subject[:1].upper()}{subject[1:]}: {kind} {status}".rstrip()
    if fact.get("event_date") and fact.get("event_date") != fact.get("due_date"):
        clause += f" on {_day(fact['event_date'])}"
    amount = amount_words(fact.get("amount_value"), fact.get("amount_currency"))
    if amount and amount.split(" ")[0] not in subject:
        clause += f", {amount}"
    if fact.get("due_date"):
        clause += f", due {_day(fact['due_date'])}"
    return clause


def fact_lines(facts: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(key, clause) of every fact that makes a clause."""
    out = []
    for fact in facts:
        clause = fact_clause(fact)
        if clause is not None:
            out.append((str(fact["key"]), clause))
    return out
