"""Events from the dependency parse: trigger -> participants -> status -> date (issue 15, part 1).

``pipeline.facts.events`` reads events from trigger words and the cue nearest before them. This module reads
what those cues miss from the parse that ``en_core_web_sm`` computes (``coref.get_parser``), and only for the
sentences that hold a word of one of its lemma classes (``lexicon/events.py``), so whole documents are never
parsed:

- **triggers** are lemma classes, not phrases: a noun of military protection qualifying a commitment-like head
  ("alliance commitments", "commitment to Japan's defense") is a *defense* event; a verb of promising
  ("commit", "pledge"), a verb of action under a future modal or a promise ("will prioritize", "committed to
  strengthening") or a procedural act on a procedural object ("initiated a review") is an
  *other_commitment*; a gathering noun ("dinner", "funeral") or an encounter verb with a person as its object
  ("welcome Mrs. X") is a *meeting*; a commitment whose complement invests is an *investment*.
- **participants**: the clause needs a subject that is an entity, "we"/"I", or a plural of nations or leaders;
  the participants are then read as ``events.sentence_participants`` reads them.
- **status** from the trigger's governing verb: negation -> denied; "if"/"unless" -> proposed; the complement
  of a verb of planning / expecting / agreeing / proposing takes that verb's status; a verb of promising is
  announced in any tense ("reaffirmed their commitment"); "will" -> announced (planned for a meeting); "could",
  "may", "would" -> expected; past tense or the performative "hereby" -> happened; otherwise announced.
- **date**: the document's own date when the clause is performative ("do hereby proclaim": a signed instrument
  acts on its signing, whatever day it names), else a date inside the governing clause, else the nearest date
  in the sentence, else none. The same performative rule dates the undated "happened" events of
  ``events.find_events``.

A sentence's type that ``events`` already found is not read again, and an *other_commitment* is added only to a
sentence with no other event, as ``events`` does.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import replace
from typing import Any

from pipeline.facts.amounts import Amount, Percent
from pipeline.facts.coref import parse_sentences
from pipeline.facts.dates import DateMention, resolve_weekday
from pipeline.facts.entities.mentions import EntityAnalysis, Mention
from pipeline.facts.events import Event, dedup_events, sentence_participants
from pipeline.facts.lexicon.events import (
    ACTION_LEMMAS,
    AGREE_LEMMAS,
    COMMITMENT_HEADS,
    DEFENSE_LEMMAS,
    ENCOUNTER_LEMMAS,
    EXPECT_LEMMAS,
    FUTURE_MODALS,
    GATHERING_NOUNS,
    PERFORMATIVE,
    PLAN_LEMMAS,
    POSSIBLE_MODALS,
    PROCEDURE_LEMMAS,
    PROCEDURE_OBJECTS,
    PROMISE_LEMMAS,
    PROPOSE_LEMMAS,
)
from pipeline.facts.quotes import Quote
from pipeline.text import Sentence

_IRREGULAR = {
    "undertook": "undertake",
    "undertaken": "undertake",
    "began": "begin",
    "begun": "begin",
    "built": "build",
    "held": "hold",
    "met": "meet",
    "sought": "seek",
}
_WORD = re.compile(r"[A-Za-z’']+")


def _forms(lemma: str) -> set[str]:
    """The inflected forms of a lemma (regular English morphology plus ``_IRREGULAR``)."""
    stem = lemma[:-1] if lemma.endswith("e") else lemma
    out = {lemma, lemma + "s", lemma + "es", stem + "ed", stem + "ing", lemma + "d"}
    if lemma.endswith("y"):
        out |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if re.search(r"[^aeiou][aeiou][tpn]$", lemma):
        out |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return out | {w for w, base in _IRREGULAR.items() if base == lemma}


def _form_types() -> dict[str, frozenset[str]]:
    """Word form -> the event types (and "hereby") a sentence holding it may yield: which sentences to parse."""
    table: dict[str, set[str]] = {}
    classes = (
        (DEFENSE_LEMMAS, "defense"),
        (PROMISE_LEMMAS | PROCEDURE_LEMMAS, "other_commitment"),
        (GATHERING_NOUNS | ENCOUNTER_LEMMAS, "meeting"),
        (frozenset({"commitment"}), "investment"),
        (frozenset({"commitment"}), "other_commitment"),
        (PERFORMATIVE, "hereby"),
    )
    for lemmas, etype in classes:
        for lemma in lemmas:
            for form in _forms(lemma):
                table.setdefault(form, set()).add(etype)
    return {k: frozenset(v) for k, v in table.items()}


_FORM_TYPES = _form_types()
_HEAD_FORMS = frozenset(f for lemma in COMMITMENT_HEADS for f in _forms(lemma))
_ACTION_FORMS = frozenset(f for lemma in ACTION_LEMMAS for f in _forms(lemma))
# A future modal and the verb it governs, a word or two apart: the "will + action" sentences worth parsing.
_MODAL_VERB = re.compile(
    r"\b(?:will|shall)\s+(?:(?:not|also|further|jointly|continue\s+to|\w+ly)\s+){0,2}([a-z]+)"
)
_CLASS_WORDS = (
    DEFENSE_LEMMAS | PROMISE_LEMMAS | PROCEDURE_LEMMAS | GATHERING_NOUNS | ENCOUNTER_LEMMAS | PERFORMATIVE
)


def _wanted(sentence: str, has_person: bool) -> set[str]:
    """What parsing ``sentence`` could add: the types its word forms may yield, when the other words a trigger
    of that type needs are there too (a commitment-like head for defense, an investment for investment, a
    person for a meeting)."""
    words = {w.lower() for w in _WORD.findall(sentence)}
    out: set[str] = set()
    for w in words:
        out |= _FORM_TYPES.get(w, frozenset())
    if not words & _HEAD_FORMS:
        out.discard("defense")
    if not any(w.startswith("invest") for w in words):
        out.discard("investment")
    if not has_person:
        out.discard("meeting")
    if words & FUTURE_MODALS and any(
        m.group(1).lower() in _ACTION_FORMS for m in _MODAL_VERB.finditer(sentence)
    ):
        out.add("other_commitment")  # "will prioritize", "will also continue"
    return out


_KNOWN = (
    _CLASS_WORDS
    | ACTION_LEMMAS
    | AGREE_LEMMAS
    | PLAN_LEMMAS
    | EXPECT_LEMMAS
    | PROPOSE_LEMMAS
    | COMMITMENT_HEADS
    | PROCEDURE_OBJECTS
    | {"commitment", "invest", "investment"}
)
# Inflections, longest first: "committed" -> "commit", "pledged" -> "pledge", "studies" -> "study".
_SUFFIXES = (
    ("ies", "y"),
    ("ied", "y"),
    ("ing", ""),
    ("ing", "e"),
    ("ed", ""),
    ("ed", "e"),
    ("es", ""),
    ("s", ""),
    ("d", ""),
    ("tted", "t"),
    ("tting", "t"),
    ("pped", "p"),
    ("nned", "n"),
    ("nning", "n"),
)
PROMISE_NOUNS = frozenset("commitment commitments pledge pledges promise promises".split())
_PLURAL_PARTIES = frozenset(
    "countries nations sides governments allies participants leaders partners".split()
)
# Longer "sentences" (clauses of a legal text, lists run together) are left to the cue patterns: the parse's
# cost grows with them and its attachments get worse.
SYNTAX_MAX_CHARS = 500
_DEFINITE = frozenset("the this that these those".split())
_FIRST_PERSON = frozenset("i we".split())
_GOVERNOR_DEPS = frozenset({"xcomp", "ccomp", "pcomp", "prep", "pobj", "advcl", "acl", "dobj", "conj"})
_MAX_GOVERNOR_HOPS = 4


def _lemma(tok: Any) -> str:
    """The lemma of ``tok`` without spaCy's lemmatizer (a third of the parse's cost): the inflection its tag
    names is stripped when the stripped form is a word of one of the lemma classes."""
    word = str(tok.lower_)
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word in _KNOWN:
        return word
    for cut, add in _SUFFIXES:
        if word.endswith(cut) and len(word) - len(cut) >= 2:
            base = word[: len(word) - len(cut)] + add
            if base in _KNOWN:
                return base
    return word


def _verb_of(tok: Any) -> Any:
    """The verb that governs ``tok``: itself when it is a verb, else the nearest verb above it."""
    node, hops = tok, 0
    while not node.tag_.startswith(("VB", "MD")) and node.head is not node and hops < _MAX_GOVERNOR_HOPS:
        node, hops = node.head, hops + 1
    return node


def _governor(verb: Any) -> Any | None:
    """The verb whose complement ``verb`` is ("plans to visit", "committed to strengthening")."""
    node, hops = verb, 0
    while node.dep_ in _GOVERNOR_DEPS and node.head is not node and hops < _MAX_GOVERNOR_HOPS:
        node, hops = node.head, hops + 1
        if node.tag_.startswith("VB"):
            return node
    return None


def clause_status(tok: Any, etype: str) -> str:
    """The status of the event whose trigger is ``tok``, from its governing verb (see the module docstring)."""
    verb = _verb_of(tok)
    children = list(verb.children)
    if any(c.dep_ == "neg" for c in children):
        return "denied"
    if any(c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in children):
        return "proposed"
    aux = {c.lower_ for c in children if c.dep_ in ("aux", "auxpass")}
    performative = any(c.lower_ in PERFORMATIVE for c in children)
    gov = _governor(verb)
    if gov is not None:
        g = _lemma(gov)
        if g in PLAN_LEMMAS:
            return "planned"
        if g in EXPECT_LEMMAS:
            return "expected"
        if g in PROPOSE_LEMMAS:
            return "proposed"
        if g in AGREE_LEMMAS:
            return "announced"
    lemma = _lemma(verb)
    if _lemma(tok) in PROMISE_NOUNS:
        return "announced"  # "thanked Japan for its commitment to ...": the promise stands, to be done
    if (
        etype == "meeting"
        and lemma in ENCOUNTER_LEMMAS
        and not aux
        and verb.tag_ in ("VB", "VBG", "VBP", "VBZ")
    ):
        return "happened"  # "an honor to welcome you": the speech is given at the gathering
    if performative:
        return "happened"
    if lemma in PROMISE_LEMMAS or (lemma in AGREE_LEMMAS and verb is not tok):
        return "announced"  # "reaffirmed their commitment": declared now, to be done
    if aux & FUTURE_MODALS:
        return "planned" if etype == "meeting" else "announced"
    if aux & POSSIBLE_MODALS:
        return "proposed" if lemma in PROPOSE_LEMMAS else "expected"
    if lemma in PROPOSE_LEMMAS:
        return "proposed"
    if verb.tag_ == "VBD" or (verb.tag_ == "VBN" and aux & {"has", "have", "had", "was", "were"}):
        return "happened"
    return "announced"


def _has_party_subject(verb: Any, span_mentions: list[tuple[int, int]], offset: int) -> bool:
    """Whether the clause of ``verb`` (or the clause governing it) has a subject that can make a commitment."""
    node: Any | None = verb
    for _ in range(3):
        if node is None:
            return False
        for c in node.children:
            if c.dep_ not in ("nsubj", "nsubjpass"):
                continue
            lo = offset + c.left_edge.idx
            hi = offset + c.right_edge.idx + len(c.right_edge.text)
            if any(lo <= s < hi for s, _ in span_mentions):
                return True
            if c.lower_ in _FIRST_PERSON or _lemma(c) in _PLURAL_PARTIES:
                return True
            return False
        node = _governor(node)
    return False


def _subtree_span(tok: Any, offset: int) -> tuple[int, int]:
    return offset + tok.left_edge.idx, offset + tok.right_edge.idx + len(tok.right_edge.text)


def _candidates(doc: Any, offset: int, mentions: list[Mention]) -> list[tuple[str, Any]]:
    """(type, trigger token) of each lemma-class trigger in one parsed sentence."""
    spans = [(m.start, m.end) for m in mentions]
    persons = [(m.start, m.end) for m in mentions if m.type == "PERSON"]
    out: list[tuple[str, Any]] = []
    for tok in doc:
        lemma = _lemma(tok)
        if lemma in DEFENSE_LEMMAS and tok.tag_.startswith(("NN", "JJ")):
            head = tok.head
            if any(c.dep_ == "det" and c.lower_ in _DEFINITE for c in head.children) and (
                _lemma(_verb_of(head)) not in AGREE_LEMMAS
            ):
                continue  # "underscoring the defense cooperation": one already told of ("reaffirmed the ..." is news)
            if tok.dep_ in ("compound", "amod", "nmod") and _lemma(head) in COMMITMENT_HEADS:
                out.append(("defense", head))
            elif tok.dep_ == "pobj" and _lemma(head.head) in COMMITMENT_HEADS:
                out.append(("defense", head.head))
        elif lemma == "commitment" and tok.tag_.startswith("NN"):
            inner = [t for t in tok.subtree if t is not tok]
            if any(_lemma(t) in ("invest", "investment") for t in inner):
                out.append(("investment", tok))
            elif any(c.dep_ == "poss" for c in tok.children) and any(
                t.tag_.startswith("VB") and _lemma(t) in ACTION_LEMMAS for t in inner
            ):
                out.append(("other_commitment", tok))
        elif tok.tag_.startswith("VB"):
            children = list(tok.children)
            aux = {c.lower_ for c in children if c.dep_ in ("aux", "auxpass")}
            gov = _governor(tok)
            promised = gov is not None and _lemma(gov) in PROMISE_LEMMAS | PLAN_LEMMAS
            if (
                lemma in PROMISE_LEMMAS
                or (lemma in ACTION_LEMMAS and (aux & FUTURE_MODALS or promised))
                or (
                    lemma in PROCEDURE_LEMMAS
                    and any(c.dep_ == "dobj" and _lemma(c) in PROCEDURE_OBJECTS for c in children)
                )
                or any(c.lower_ in PERFORMATIVE for c in children)
            ) and _has_party_subject(tok, spans, offset):
                out.append(("other_commitment", tok))
            if lemma in ENCOUNTER_LEMMAS:
                objs = [c for c in children if c.dep_ in ("dobj", "prep") and c.lower_ not in ("about", "on")]
                for o in objs:
                    lo, hi = _subtree_span(o, offset)
                    if any(lo <= s < hi for s, _ in persons):
                        out.append(("meeting", tok))
                        break
        elif lemma in GATHERING_NOUNS and tok.tag_.startswith("NN") and persons:
            out.append(("meeting", tok))
    return out


def _clause_date(
    tok: Any,
    offset: int,
    s_dates: list[DateMention],
    status: str,
    published: dt.date | None,
) -> dt.date | None:
    verb = _verb_of(tok)
    if published is not None and any(c.lower_ in PERFORMATIVE for c in verb.children):
        return published  # "do hereby proclaim <a day>": the act is the signing; the day named is its object
    lo, hi = _subtree_span(verb, offset)
    pos = offset + tok.idx
    usable = [
        d for d in s_dates if d.precision in ("day", "week", "month") and (d.value or d.weekday is not None)
    ]
    inside = [d for d in usable if lo <= d.start < hi]
    pool = inside or usable
    if pool:
        d = min(pool, key=lambda m: abs(m.start - pos))
        if d.weekday is not None and d.modifier is None and published is not None:
            direction = {"happened": "past", "planned": "future", "expected": "future"}.get(status, "nearest")
            return resolve_weekday(d.weekday, published, direction)
        return d.value
    if status == "happened" and _lemma(verb) in ENCOUNTER_LEMMAS and verb.tag_ in ("VB", "VBG", "VBP", "VBZ"):
        return published  # a gathering happening as the text is spoken
    return None


def find_syntax_events(
    masked: str,
    text: str,
    sentences: list[Sentence],
    analysis: EntityAnalysis,
    amounts: list[Amount],
    percents: list[Percent],
    dates: list[DateMention],
    quotes: list[Quote],
    published: dt.date | None,
    found: list[Event],
) -> list[Event]:
    """The events of ``found`` plus those read from the parse, in text order (see the module docstring).

    Args:
        masked: the masked article text (what was parsed).
        text: the original text (verbatim evidence).
        sentences: sentence spans.
        analysis: entity mentions of the document.
        amounts: money amounts (an investment takes the nearest in its sentence).
        percents: percentages (unused by the parse; kept for a uniform call).
        dates: date expressions of the document.
        quotes: attributed quotes ("we" inside a quote is the speaker's country).
        published: the document's own date.
        found: the events ``events.find_events`` read from the same sentences.

    Returns:
        ``found`` (with performative clauses dated) and the parse's events, ordered by evidence offset.
    """
    del percents
    by_sentence: dict[int, set[str]] = {}
    undated: dict[int, bool] = {}
    for ev in found:
        by_sentence.setdefault(ev.evidence_start, set()).add(ev.type)
        if ev.date is None and ev.status == "happened":
            undated[ev.evidence_start] = True
    mention_starts = [m.start for m in analysis.mentions]
    chosen = []
    for s in sentences:
        if s.is_heading or s.end - s.start > SYNTAX_MAX_CHARS:
            continue
        have = by_sentence.get(s.start, set())
        lo = bisect.bisect_left(mention_starts, s.start)
        has_person = any(
            m.type == "PERSON" for m in analysis.mentions[lo : bisect.bisect_left(mention_starts, s.end)]
        )
        wanted = _wanted(masked[s.start : s.end], has_person) - have
        if have:
            wanted.discard("other_commitment")  # added only where nothing else was found
        if "hereby" in wanted and not undated.get(s.start) and have:
            wanted.discard("hereby")  # nothing to date
        if wanted:
            chosen.append(s)
    if not chosen:
        return found
    docs = parse_sentences([masked[s.start : s.end] for s in chosen])
    performative_sents: set[int] = set()
    extra: list[Event] = []
    for sent, doc in zip(chosen, docs, strict=True):
        if any(t.lower_ in PERFORMATIVE for t in doc):
            performative_sents.add(sent.start)
        have = by_sentence.get(sent.start, set())
        s_mentions = analysis.mentions[
            bisect.bisect_left(mention_starts, sent.start) : bisect.bisect_left(mention_starts, sent.end)
        ]
        s_dates = [d for d in dates if sent.start <= d.start < sent.end]
        s_amounts = [a for a in amounts if sent.start <= a.start < sent.end]
        added: set[str] = set()
        for etype, tok in _candidates(doc, sent.start, s_mentions):
            if etype in have or etype in added:
                continue
            if etype == "other_commitment" and (have or added):
                continue
            status = clause_status(tok, etype)
            date = _clause_date(tok, sent.start, s_dates, status, published)
            if etype == "meeting" and date and published:
                if date > published and status == "happened":
                    status = "planned"
                elif date < published and status in ("planned", "announced"):
                    status = "happened"
            parts = sentence_participants(masked, sent, etype, s_mentions, analysis, quotes)
            if not parts:
                continue
            pos = sent.start + tok.idx
            amount = (
                min(s_amounts, key=lambda a: abs(a.start - pos))
                if etype == "investment" and s_amounts
                else None
            )
            lo, hi = _subtree_span(tok, sent.start)
            subject = " ".join(masked[lo:hi].split()[:14]).strip(" .,;:")
            extra.append(
                Event(
                    etype,
                    status,
                    date.isoformat() if date else None,
                    parts,
                    amount,
                    None,
                    subject,
                    text[sent.start : sent.end],
                    sent.start,
                    sent.end,
                )
            )
            added.add(etype)
    dated = [
        replace(ev, date=published.isoformat())
        if published
        and ev.date is None
        and ev.status == "happened"
        and ev.evidence_start in performative_sents
        else ev
        for ev in found
    ]
    return dedup_events(sorted(dated + extra, key=lambda ev: ev.evidence_start))
