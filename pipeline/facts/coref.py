"""Who "the President", "the ministry", "the spokesperson" and "he" are: a small coreference step over one document.

The referents are the document's people and organisations in text order (its entity mentions) and the unnamed
speakers it introduces ("one senior Finance Ministry official", "a spokesperson for the ministry"). A person
carries the role the text gives it ("President Donald Trump", "Nora Kessler, the prime minister,", "Sylvania's
foreign minister, Ivo Brand") and a gender where the gazetteer or the text tells ("Mrs.", "spokeswoman").

- A definite role ("the Prime Minister", "the senior official") is the most recent person with that role, else
  the person the document gives that role most often; an unnamed speaker stands for the organisation named with
  it ("a Foreign Ministry spokesman"), or for nobody.
- "the ministry" is the most recent organisation whose name has that noun ("the company": one with a company
  head word).
- "he" / "she" is the most recent compatible person who is the grammatical subject of a clause in the few
  sentences before (``nsubj`` in en_core_web_sm's dependency parse, run on those sentences only), else the most
  recent compatible person.
- In a transcript (two or more turn labels in capitals at the start of a line: "PRESIDENT BIDEN:", "Q:"), a
  turn belongs to the person its label names: the document's person whose surname is the label's last word, else
  the holder of the role the label gives ("THE PRESIDENT:"), else nobody ("Q:", "AUDIENCE:").

No rule names anyone: the names come from the document and the gazetteer.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeline.facts.entities.candidates import SPACY_MODEL
from pipeline.facts.entities.mentions import EntityAnalysis
from pipeline.facts.lexicon.quotes import (
    COMPANY_HEADS,
    DESCRIPTIVE_QUALIFIERS,
    DISTINCT_OFFICES,
    HONORIFIC_GENDERS,
    OFFICE_QUALIFIERS,
    ORG_REFERENCE_NOUNS,
    ROLE_GENDERS,
    ROLE_NOUNS,
)
from pipeline.text import Sentence

logger = logging.getLogger(__name__)

SUBJECT_SENTENCES = 3  # sentences before a pronoun (its own included) whose subjects it prefers
PARSE_MAX_CHARS = 1500  # longer "sentences" are not parsed
LOOKBACK_REFERENTS = 200  # referents read back from a reference for its antecedent
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
# The parser's own pipes: the NER of ``entities.candidates`` is not needed here.
PARSER_EXCLUDE = ["ner", "lemmatizer", "senter", "attribute_ruler"]  # the tags are read, not the POS
_PARSER: Any = None

_ROLE = rf"(?:(?:{OFFICE_QUALIFIERS})[\s-]+){{0,3}}(?:{ROLE_NOUNS})"
_ROLE_BEFORE_NAME = re.compile(
    rf"(?<![\w-])(?P<role>{_ROLE})(?:\s+of\s+(?:the\s+)?[A-Z][\w.]*(?:\s+[A-Z][\w.]*){{0,2}})?\.?[ \t\xa0]+$",
    re.I,
)
_HONORIFIC = re.compile(r"(?<![\w-])(?P<h>Mr|Mrs|Ms|Miss|Madam|Sir|Dame)\.?[ \t\xa0]+$")
_APPOSITIVE_AFTER = re.compile(
    rf"^,[ \t\xa0\n]+(?:(?:the|a|an|its|their)[ \t\xa0\n]+|[A-Z][\w.-]*(?:’s|'s)[ \t\xa0\n]+)?"
    rf"(?:new[ \t\xa0\n]+)?(?P<role>{_ROLE})\b",
    re.I,
)
_APPOSITIVE_BEFORE = re.compile(rf"(?<![\w-])(?P<role>{_ROLE}),[ \t\xa0\n]+$", re.I)
_NOMINAL = re.compile(
    rf"(?<![\w-])(?P<det>(?i:the|an?|one|another|this|that))[ \t\xa0\n]+"
    rf"(?P<mods>(?:(?:[A-Z][\w’'.&-]*|(?i:{OFFICE_QUALIFIERS}))[ \t\xa0\n]+){{0,4}})"
    rf"(?P<noun>(?i:{ROLE_NOUNS}|{ORG_REFERENCE_NOUNS}))(?![\w-])"
)
_QUALIFIER = re.compile(rf"(?:{OFFICE_QUALIFIERS})", re.I)
_ORG_NOUN = re.compile(rf"^(?:{ORG_REFERENCE_NOUNS})$", re.I)
_TURN_LABEL = re.compile(
    r"(?m)^[ \t\xa0]*(?P<label>[A-Z][A-Z.’'-]*(?:[ \t\xa0]+[A-Z][A-Z.’'-]*){0,4}):[ \t\xa0\n]"
)
TRANSCRIPT_MIN_TURNS = 2  # one capitalised label alone is a heading, not a transcript
_OWNER_AFTER = re.compile(r"^[ \t\xa0\n]+(?:for|of|at|from|with)[ \t\xa0\n]+(?:the[ \t\xa0\n]+)?$")


@dataclass(frozen=True)
class Referent:
    """Someone the document can refer back to: a named mention or an unnamed speaker it introduces.

    ``name`` is the canonical entity it stands for (for an unnamed speaker, the organisation it speaks
    for), or None when the text does not say; ``type`` is PERSON or ORG; ``role`` the office or job in lower
    case ("prime minister", "senior official"), ``gender`` "m", "f" or None.
    """

    name: str | None
    type: str
    start: int
    end: int
    role: str | None = None
    gender: str | None = None
    named: bool = True


def get_parser() -> Any:
    """The spaCy pipeline with its tagger and dependency parser, loaded once per process."""
    global _PARSER
    if _PARSER is None:
        import spacy  # imported lazily: loading the model costs a few hundred milliseconds

        _PARSER = spacy.load(SPACY_MODEL, exclude=PARSER_EXCLUDE)
        logger.info("loaded spaCy parser %s with pipes %s", SPACY_MODEL, _PARSER.pipe_names)
    return _PARSER


_PARSE_CACHE: dict[str, Any] = {}
PARSE_CACHE_SIZE = 512  # sentences kept parsed: coreference and ``syntax`` read the same ones


def parse_sentences(texts: list[str]) -> list[Any]:
    """The parses of sentence texts, each parsed once per process while it stays in a small cache.

    Line breaks are read as spaces (same length, so token offsets still index the text): a wrapped line is
    not a token of its own. Coreference and ``pipeline.facts.syntax`` both parse trigger and pronoun sentences;
    a sentence one of them parsed is not parsed again by the other.
    """
    missing = list(dict.fromkeys(t for t in texts if t not in _PARSE_CACHE))
    if missing:
        if len(_PARSE_CACHE) + len(missing) > PARSE_CACHE_SIZE:
            _PARSE_CACHE.clear()
        parser = get_parser()
        for t, doc in zip(
            missing, parser.pipe([t.replace("\n", " ") for t in missing], batch_size=64), strict=True
        ):
            _PARSE_CACHE[t] = doc
    return [_PARSE_CACHE[t] for t in texts]


def role_key(role: str) -> str:
    """A role as compared: lower case, single spaces, without the words that describe the holder."""
    words = re.split(r"[\s\xa0]+", role.lower().strip())
    return " ".join(w for w in words if w not in DESCRIPTIVE_QUALIFIERS)


def role_matches(reference: str, role: str | None) -> bool:
    """Whether "the <reference>" can mean a holder of ``role``: the same role, or its last words when the role's
    first word does not make it another office ("the minister" is the foreign minister, "the president" is
    not the vice president)."""
    if not role:
        return False
    ref, held = role_key(reference), role_key(role)
    if not ref:
        return False
    if ref == held:
        return True
    return held.endswith(" " + ref) and held.split()[0].rstrip("-") not in DISTINCT_OFFICES


class Referents:
    """The referents of one document and the resolution of roles, nominals and pronouns against them."""

    def __init__(
        self,
        masked: str,
        sentences: list[Sentence],
        analysis: EntityAnalysis,
        in_quote: Callable[[int], bool],
    ) -> None:
        self.masked = masked
        self.sentences = sentences
        self.sentence_starts = [s.start for s in sentences]
        self.analysis = analysis
        self.in_quote = in_quote
        self._parses: dict[int, Any] = {}
        self._mention_starts = [m.start for m in analysis.mentions]
        self._mention_start_set = set(self._mention_starts)
        self._named_starts: list[int] = []
        self._dominant: dict[str, Referent | None] = {}
        self.items = self._build()
        self.starts = [r.start for r in self.items]

    # -- building ---------------------------------------------------------------------------------------

    def _build(self) -> list[Referent]:
        masked = self.masked
        named: list[Referent] = []
        consumed: list[tuple[int, int]] = []  # role phrases that belong to a name: not unnamed speakers
        for m in self.analysis.mentions:
            if m.type not in ("PERSON", "ORG") or m.how == "demonym":
                continue
            role = gender = None
            if m.type == "PERSON":
                if m.how == "role":
                    role = masked[m.start : m.end]
                before = masked[max(0, m.start - 80) : m.start]
                hit = _ROLE_BEFORE_NAME.search(before)
                if hit:
                    role = role or hit.group("role")
                    consumed.append((m.start - len(before) + hit.start(), m.start))
                    before = before[: hit.start()]
                elif (app := _APPOSITIVE_BEFORE.search(before)) is not None:
                    role = app.group("role")
                    consumed.append((m.start - len(before) + app.start(), m.start))
                app_after = _APPOSITIVE_AFTER.match(masked[m.end : m.end + 120])
                if app_after:
                    role = role or app_after.group("role")
                    consumed.append((m.end, m.end + app_after.end()))
                honorific = _HONORIFIC.search(before)
                gender = self.analysis.genders.get(m.name)
                if honorific:
                    gender = gender or HONORIFIC_GENDERS[honorific.group("h").lower()]
                if role and not gender:
                    gender = ROLE_GENDERS.get(role_key(role).split()[-1])
            named.append(Referent(m.name, m.type, m.start, m.end, role_key(role) if role else None, gender))
        # One person, one gender: a cue at any mention holds for all of them.
        genders = {r.name: r.gender for r in named if r.gender}
        named = [
            Referent(r.name, r.type, r.start, r.end, r.role, r.gender or genders.get(r.name or ""))
            if r.type == "PERSON" and not r.gender
            else r
            for r in named
        ]
        # An unnamed speaker may hold an organisation's name ("a Finance Ministry official"), not a person's.
        spans = [(r.start, r.end) for r in named if r.type == "PERSON"] + consumed
        orgs = [(r.start, r.end) for r in named if r.type == "ORG"]
        spans.sort()
        span_starts = [a for a, _ in spans]
        self._named_starts = [r.start for r in named]
        unnamed: list[Referent] = []
        for hit in _NOMINAL.finditer(masked):
            start, end = hit.start(), hit.end()
            if self.in_quote(start) or self._overlaps(spans, span_starts, start, end):
                continue
            noun_start = hit.start("noun")
            if any(a < end and noun_start < b for a, b in orgs):
                continue  # "the Ministry of Finance": a name, already a referent
            if re.match(r"[ \t\xa0]+[A-Z]", masked[end : end + 2]) and self._mention_at(end):
                continue  # "the President Donald Trump": a title, already the name's role
            referent = self._nominal(hit, named, unnamed)
            if referent is not None:
                unnamed.append(referent)
        return sorted(named + unnamed, key=lambda r: r.start)

    @staticmethod
    def _overlaps(spans: list[tuple[int, int]], span_starts: list[int], start: int, end: int) -> bool:
        i = bisect.bisect_left(span_starts, end)
        return any(a < end and start < b for a, b in spans[max(0, i - 4) : i])

    def _mention_at(self, end: int) -> bool:
        text = self.masked[end : end + 4]
        return end + len(text) - len(text.lstrip(" \t\xa0")) in self._mention_start_set

    def _nominal(self, hit: re.Match[str], named: list[Referent], unnamed: list[Referent]) -> Referent | None:
        """An unnamed referent: "the ministry", "the Prime Minister", "one senior Finance Ministry official"."""
        det, noun = hit.group("det").lower(), hit.group("noun")
        definite = det in ("the", "this", "that")
        phrase = f"{hit.group('mods')}{noun}"
        start, end = hit.start(), hit.end()
        if _ORG_NOUN.match(noun):
            if not definite:
                return None
            org = self._recent_org(noun.lower(), start, named, self._named_starts)
            return Referent(org, "ORG", start, end, None, None, False) if org else None
        owner = self._owner(start + len(hit.group("det")), end)
        # The office, without the names around it: "the Japanese ambassador" holds the role "ambassador".
        role = role_key(" ".join(w for w in phrase.split() if _QUALIFIER.fullmatch(w) or w == noun))
        gender = ROLE_GENDERS.get(noun.lower())
        if owner is not None:
            return Referent(owner, "PERSON", start, end, role, gender, False)
        if not definite:
            return Referent(None, "PERSON", start, end, role, gender, False)
        antecedent = self._antecedent(role, start, named, unnamed)
        if antecedent is None:
            return Referent(None, "PERSON", start, end, role, gender, False)
        return Referent(
            antecedent.name, "PERSON", start, end, antecedent.role, antecedent.gender or gender, False
        )

    def _owner(self, mods_start: int, end: int) -> str | None:
        """The organisation an unnamed speaker speaks for: named inside the phrase ("a Finance Ministry official")
        or just after it ("a spokesperson for the Ministry of ...")."""
        mentions = self.analysis.mentions
        for i in range(bisect.bisect_left(self._mention_starts, mods_start), len(mentions)):
            m = mentions[i]
            if m.start > end + 30:
                break
            if m.type != "ORG" or m.how == "demonym":
                continue
            if m.end <= end:
                return m.name
            if m.start >= end and _OWNER_AFTER.match(self.masked[end : m.start]):
                return m.name
        return None

    def _recent_org(self, noun: str, pos: int, named: list[Referent], named_starts: list[int]) -> str | None:
        """The most recent organisation named before ``pos`` that "the <noun>" can mean."""
        i = bisect.bisect_left(named_starts, pos)
        for r in reversed(named[max(0, i - LOOKBACK_REFERENTS) : i]):
            if r.type != "ORG" or not r.name or self.in_quote(r.start):
                continue
            words = [w.lower() for w in r.name.split()]
            if noun in ("company", "firm", "group"):
                if COMPANY_HEADS.intersection(words):
                    return r.name
            elif noun in words:
                return r.name
        return None

    def _antecedent(
        self, role: str, pos: int, named: list[Referent], unnamed: list[Referent]
    ) -> Referent | None:
        """The most recent person with ``role`` before ``pos`` (named, or unnamed and already resolved), else
        the named person the document gives that role most often."""
        best: Referent | None = None
        for people in (named, unnamed):
            # unnamed referents are built in text order, each before the one being resolved
            i = len(people) if people is unnamed else bisect.bisect_left(self._named_starts, pos)
            for r in reversed(people[max(0, i - LOOKBACK_REFERENTS) : i]):
                if r.type == "PERSON" and role_matches(role, r.role) and not self.in_quote(r.start):
                    if best is None or r.start > best.start:
                        best = r
                    break
        if best is not None:
            return best
        key = role_key(role)
        if key not in self._dominant:
            counts = Counter(
                r.name for r in named if r.type == "PERSON" and r.name and role_matches(role, r.role)
            )
            top = counts.most_common(1)
            self._dominant[key] = (
                next(r for r in named if r.name == top[0][0] and role_matches(role, r.role)) if top else None
            )
        return self._dominant[key]

    # -- resolving --------------------------------------------------------------------------------------

    def at(self, start: int) -> Referent | None:
        """The referent starting at ``start``, if any."""
        i = bisect.bisect_left(self.starts, start)
        return self.items[i] if i < len(self.items) and self.items[i].start == start else None

    def after(self, pos: int) -> list[Referent]:
        """Referents starting at or after ``pos``, in text order."""
        return self.items[bisect.bisect_left(self.starts, pos) :]

    def before(self, pos: int) -> list[Referent]:
        """Referents starting before ``pos``, in text order."""
        return self.items[: bisect.bisect_left(self.starts, pos)]

    def pronoun(self, pronoun: str, pos: int) -> Referent | None:
        """The referent of "he", "she" or "it" at ``pos``: see the module docstring. "they" is nobody."""
        pronoun = pronoun.lower()
        if pronoun == "they":
            return None
        wanted = "ORG" if pronoun == "it" else "PERSON"
        gender = {"he": "m", "she": "f"}.get(pronoun)
        candidates: list[Referent] = []  # compatible referents before pos, the most recent first
        for r in reversed(self.items[max(0, bisect.bisect_left(self.starts, pos) - LOOKBACK_REFERENTS) :]):
            if r.start >= pos or r.type != wanted or r.end > pos or self.in_quote(r.start):
                continue
            if not (gender and r.gender and r.gender != gender):
                candidates.append(r)
        if not candidates:
            return None
        if wanted == "PERSON" and self.sentences:
            here = bisect.bisect_right(self.sentence_starts, pos) - 1
            window_start = self.sentences[max(0, here - SUBJECT_SENTENCES + 1)].start
            recent = [r for r in candidates if r.start >= window_start]
            # A person the text gave this gender, then anyone: subjects first, the most recent first.
            for pool in ([r for r in recent if gender and r.gender == gender], recent):
                for r in pool:
                    if self.is_subject(r):
                        return r
                if pool and pool is not recent:
                    return pool[0]
        return candidates[0]

    def is_subject(self, r: Referent) -> bool:
        """Whether the referent's phrase is the subject of its clause in the dependency parse."""
        idx = bisect.bisect_right(self.sentence_starts, r.start) - 1
        if idx < 0:
            return False
        sentence = self.sentences[idx]
        if sentence.end - sentence.start > PARSE_MAX_CHARS:
            return False  # a run-on "sentence" (a list, a table): not parsed, so each pronoun costs the same
        doc = self._parses.get(idx)
        if doc is None:
            doc = parse_sentences([self.masked[sentence.start : sentence.end]])[0]
            self._parses[idx] = doc
        a, b = r.start - sentence.start, r.end - sentence.start
        inside = [t for t in doc if a <= t.idx < b]
        heads = [t for t in inside if not (a <= t.head.idx < b) or t.head.i == t.i]
        for token in heads[:1]:
            for _ in range(3):  # "Nora Kessler, the prime minister," / "Kessler and Brand": climb to the head
                if token.dep_ in SUBJECT_DEPS:
                    return True
                if token.dep_ not in ("appos", "compound", "conj") or token.head.i == token.i:
                    return False
                token = token.head
        return False


class Turns:
    """The turns of a transcript: where each starts (after its label) and the person its label names."""

    def __init__(self, masked: str, referents: Referents) -> None:
        labels = list(_TURN_LABEL.finditer(masked))
        if len(labels) < TRANSCRIPT_MIN_TURNS:
            labels = []
        people = [r for r in referents.items if r.type == "PERSON" and r.name and r.named]
        self.starts = [m.end() for m in labels]
        self._people = people
        self.speakers = [self._speaker(m.group("label"), m.start()) for m in labels]

    def _speaker(self, label: str, pos: int) -> str | None:
        words = re.split(r"[ \t\xa0]+", label.strip())
        surname = words[-1].lower().rstrip(".")
        by_surname = Counter(r.name for r in self._people if r.name and r.name.split()[-1].lower() == surname)
        if by_surname:
            return by_surname.most_common(1)[0][0]
        role = " ".join(w.lower() for w in words if w.lower() not in ("the", "mr.", "mrs.", "ms."))
        if not role or not re.fullmatch(rf"{_ROLE}", role, re.I):
            return None
        holders = Counter(r.name for r in self._people if role_matches(role, r.role))
        return holders.most_common(1)[0][0] if holders else None

    def at(self, pos: int) -> tuple[int, str | None] | None:
        """The turn holding ``pos``: where its words start and its speaker; None outside any turn."""
        i = bisect.bisect_right(self.starts, pos) - 1
        return (self.starts[i], self.speakers[i]) if i >= 0 else None
