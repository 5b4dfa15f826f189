"""Events and commitments: typed, dated, with status, participants and figures, from sentence cues.

Each sentence is scanned for trigger words of the six event types of ``eval/FACTS.md`` (meeting, agreement,
investment, trade_measure, defense, other_commitment). A trigger that only refers back to an event already
told ("the meeting", "under the deal") does not start a new one. The status comes from the tense and
modality cue nearest before the trigger ("is expected to" -> expected, "will meet" -> planned, "plans to"
-> planned, "signed" -> happened, "exploring" -> proposed); the date from the nearest date expression,
a bare weekday pointing back for past events and forward for future ones; participants from the entity
mentions of the sentence, plus the two main countries for "both nations" and the speaker's country for
"we" inside a quote.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import re
from collections import Counter
from dataclasses import dataclass

from pipeline.facts.amounts import Amount, Percent
from pipeline.facts.dates import DateMention, resolve_weekday
from pipeline.facts.entities.mentions import EntityAnalysis, Mention
from pipeline.facts.lexicon.events import (
    NEW_WORDS,
    NP_BREAKERS,
    REFERENCE_WORDS,
    STATUS_CUES,
    TRIGGER_NOUNS,
    TRIGGER_VERBS,
)
from pipeline.facts.quotes import Quote
from pipeline.text import Sentence

logger = logging.getLogger(__name__)

MAX_PARTICIPANTS = 8
CUE_WINDOW = 90  # chars before a trigger searched for its tense/modality cue


def _compile_triggers() -> list[tuple[str, re.Pattern[str], bool]]:
    """One alternation per (type, noun) pair: fewer passes over the text than one regex per pattern."""
    return [
        (etype, re.compile("|".join(f"(?:{pattern})" for pattern in patterns)), noun)
        for noun, table in ((False, TRIGGER_VERBS), (True, TRIGGER_NOUNS))
        for etype, patterns in table.items()
    ]


_TRIGGERS = _compile_triggers()
# A "meet"/"met" without anyone to meet is "meet demand", "meet our objectives".
_MEET_VERB = re.compile(r"^(?:meet|meets|met|meeting\s+with)$", re.I)
_PAIR_MODIFIER = re.compile(
    r"\b(?:U\.S\.|US|United States|Japan|America)\s?[-–/]\s?[A-Z][\w.]+\s+(?:[\w-]+\s+){0,3}$"
)
_POSSESSIVE_DET = re.compile(r"\b(?:its|their|his|her|our)\s+(?:[\w’'.-]+\s+){0,2}$", re.I)
# Weapons named in a list of products ("batteries, fighter jets, magnets") are not a defense event.
_DEFENSE_ACTION = re.compile(
    r"\b(?:deliver\w*|deploy\w*|purchas\w*|buy\w*|bought|sell\w*|sales?\s+of|develop\w*|produc\w*|build\w*|"
    r"station\w*|acquir\w*|co-?produc\w*|procure\w*|send\w*|supply\w*|replace)\b[^,;.]{0,45}$",
    re.I,
)
_WEAPON_NOUN = re.compile(
    r"^(?:missiles?|fighter|fighters|troops|warships?|destroyers?|aircraft|weapons)", re.I
)
_DEAL_MADE = re.compile(r"\b(?:signed|signing|agreed|reached|unveiled|concluded|struck|inked|sealed)\b")
_SIGNED_AFTER = re.compile(r"^[\]\s,]*(?:\([^)]*\)\s*)?(?:,\s*)?(?:was\s+|were\s+)?signed\b")

_CUES = [(status, re.compile(pattern, re.I)) for status, pattern in STATUS_CUES.items()]
_PAST_HINT = re.compile(
    r"\b(?:ago|last\s+(?:week|month|year)|yesterday|earlier\s+this|in\s+(?:19|20)\d\d)\b", re.I
)
_WEAK_PAST = re.compile(r"\b(?:was|were|had|did)\b")
_LEAD_PRONOUN = re.compile(r"^(?:He|She)\b")
_OWN_TIME = re.compile(
    r"\b(?:[Ii]n|[Ss]ince|[Ll]ast|[Ee]arlier)\s+(?:January|February|March|April|May|June|July|August|September|"
    r"October|November|December|(?:19|20)\d\d|year|month)\b|\b(?:19|20)\d\d\b"
)
_BOTH_SIDES = re.compile(
    r"\b(?:(?i:both\s+(?:nations|countries|sides|governments|allies|participants)|the\s+two\s+(?:nations|countries|"
    r"sides|governments|allies)|bilateral(?:ly)?|two\s+allies|each\s+other)|(?:the\s+)?Participants)\b"
)
_BOTH_LEADERS = re.compile(r"\b(?:both\s+leaders|the\s+two\s+leaders|the\s+leaders)\b", re.I)
_FIRST_PERSON = re.compile(r"\b(?:we|We|our|Our|us)\b")
_NOT_PARTICIPANT_BEFORE = re.compile(
    r"(?:(?:dependence|reliance|dependent|reliant|dominance)\s+on|against|tensions\s+with|amid|rivals?\s+such\s+as|"
    r"adversar(?:y|ies)\s+such\s+as|According\s+to|according\s+to)\s+(?:the\s+)?$"
)
_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|at|near|from|to|into|outside|inside|visit|visited|visiting)\s+(?:the\s+)?$", re.I
)
_TOTAL_BEFORE = re.compile(
    r"\b(?:total|totall?ing|bringing|brings|bring|cumulative|record)\b[^;]{0,60}$", re.I
)
# "The leaders welcomed the outcomes of the Forum, which brought together ... to highlight $50 billion of
# projects": the figure belongs to the relative clause, not to the parties of the main clause that welcomed it.
_ACKNOWLEDGE = re.compile(
    r"\b(?:welcom(?:e|es|ed|ing)|not(?:e|es|ed|ing)|prais(?:e|es|ed|ing)|applaud(?:s|ed|ing)?|commend(?:s|ed|ing)?|"
    r"hail(?:s|ed|ing)?|celebrat(?:e|es|ed|ing)|recogniz(?:e|es|ed|ing)|acknowledg(?:e|es|ed|ing))\b",
    re.I,
)
# A meeting dated before the article is read as held, unless the sentence only restates the plan ("had
# announced plans to meet Xi on October 30"): repeating a plan is no report that it happened.
_STATED_PLAN = re.compile(
    r"\b(?:plans?\s+to|planned\s+to|planning\s+to|announced\s+plans|(?:his|her|its|their|a|the)\s+plans?\s+to|"
    r"scheduled\s+to|set\s+to|intends?\s+to|intention\s+to)\b",
    re.I,
)
_RELATIVE = re.compile(r",\s*(?:which|who|that)\b", re.I)
AMOUNT_REACH = (
    120  # chars: how far from its trigger a figure may sit and still belong to a non-investment event
)
_SUBJECT_STOP = re.compile(
    r"[,;:()\[\]“”\"—]|\s(?:which|that|who|aimed|while|because|but|where|when|as|after|before|amid|according)\s"
)


@dataclass(frozen=True)
class Event:
    """An event or commitment, with the sentence it was read from."""

    type: str
    status: str
    date: str | None
    participants: tuple[str, ...]
    amount: Amount | None
    percent: float | None
    subject: str
    evidence_text: str
    evidence_start: int
    evidence_end: int
    # The amount is a slice of a larger figure ("the first tranche ... worth $36 billion"): shown, never summed.
    amount_is_part: bool = False


@dataclass(frozen=True)
class _Trigger:
    type: str
    start: int
    end: int
    noun: bool
    reference: bool


def _determiner(before: str, etype: str) -> str | None:
    """The nearest determiner within four words before a noun trigger: "reference", "new" or None.

    Possessives ("its defense budget") refer back only for meetings and agreements ("their meeting").
    """
    for word in reversed(re.findall(r"[\w’'.-]+|[,;:()]", before)[-8:]):
        low = word.lower()
        if low in (",", ";", ":", "(", ")"):
            return None
        if low in NEW_WORDS:
            return "new"
        if re.fullmatch(
            r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|month)(?:’s|'s)", low
        ):
            return "reference"  # "Sunday's agreements": told before
        if low in REFERENCE_WORDS:
            if low in ("its", "their", "his", "her", "our") and etype not in ("meeting", "agreement"):
                return None
            return "reference"
        if low in NP_BREAKERS or low.endswith("ly"):
            return None  # a verb or preposition ends the noun phrase: "would impose high tariffs"
    return None


def _raw_triggers(masked: str) -> list[tuple[int, int, str, bool]]:
    """Every trigger match in the text, (start, end, type, is_noun), sorted: one pass per pattern."""
    raw = [
        (m.start(), m.end(), etype, noun)
        for etype, pattern, noun in _TRIGGERS
        for m in pattern.finditer(masked)
    ]
    raw.sort()
    return raw


def _find_triggers(
    masked: str, sent: Sentence, raw: list[tuple[int, int, str, bool]], mention_cover: bytearray
) -> list[_Trigger]:
    out: list[_Trigger] = []
    lo = bisect.bisect_left(raw, (sent.start, -1, "", False))
    for start, end, etype, noun in raw[lo:]:
        if start >= sent.end:
            break
        if end > sent.end:
            continue
        word = masked[start:end]
        head_end = start + len(word.split()[0])
        if mention_cover.find(1, start, head_end) != -1:
            continue  # "Committee on Foreign Investment", "Japan AI Safety Institute"
        if word == "Signed" and start != sent.start:
            continue
        following = re.match(r"\s+([A-Z][\w-]*)", masked[end : end + 30])
        if word[:1].isupper() and start != sent.start and following and not following.group(1).isupper():
            continue  # a modifier inside a name: "Investment Ministerial", "Framework Agreement"
        before = masked[max(sent.start, start - 60) : start]
        if etype == "defense" and _WEAPON_NOUN.match(word) and not _DEFENSE_ACTION.search(before):
            continue
        if noun:
            reference = _determiner(before, etype) == "reference"
            if reference and etype == "agreement" and _PAIR_MODIFIER.search(before[-40:]):
                reference = (
                    False  # "the U.S./Japan agreement governing trade in semiconductors": a named pact
                )
        else:  # a verb form used as a noun: "The visit highlights ..."
            reference = bool(re.search(r"\b(?:the|this|that|these|those)\s+$", before, re.I))
        if word.lower() in ("deal", "deals") and (
            re.search(r"\bto\s+$", before) or masked.startswith(" with", end)
        ):
            continue  # "to deal with": the verb
        if etype in ("meeting", "agreement") and _POSSESSIVE_DET.search(before):
            reference = True
        if reference and _SIGNED_AFTER.match(masked[end : end + 200]):
            reference = False  # "The U.S.-Japan Deal, signed by ...": a report of the signing itself
        if etype == "agreement" and re.match(r"\s+to\s+(?:buy|purchase|invest)", masked[end : end + 20]):
            continue  # "an agreement to buy 100 aircraft" is the purchase
        if word == "framework" and not _DEAL_MADE.search(masked, sent.start, sent.end):
            continue  # a pricing or policy framework, unless one was signed or reached
        out.append(_Trigger(etype, start, end, noun, reference))
    return out


def _status_for(masked: str, sent: Sentence, trig: _Trigger, etype: str) -> str:
    lo = max(sent.start, trig.start - CUE_WINDOW)
    clause_start = masked.rfind(";", lo, trig.start)
    lo = clause_start + 1 if clause_start != -1 else lo
    # two characters past the trigger so "agreed to" is read as one cue
    window = masked[lo : min(sent.end, trig.end + 3)]
    best: tuple[int, str] | None = None
    for cue_status, pattern in _CUES:
        for m in pattern.finditer(window):
            pos = lo + m.start()
            if cue_status in ("denied", "cancelled"):
                return cue_status
            if best is None or pos > best[0]:
                best = (pos, cue_status)
    if best is None:
        after = " ".join(masked[trig.end : min(sent.end, trig.end + 300)].split())[:60]
        for cue_status, pattern in _CUES:
            if cue_status != "announced" and pattern.search(after):
                best = (0, cue_status)
                break
    status = best[1] if best else None
    cue_text = masked[best[0] : best[0] + 12].lower() if best and best[0] else ""
    if (
        status == "announced"
        and cue_text.startswith("announced")
        and etype in ("agreement", "meeting", "trade_measure")
    ):
        status = "happened"
    if (
        status == "happened"
        and cue_text.startswith("announced")
        and etype in ("investment", "defense", "other_commitment")
    ):
        status = "announced"
    if status is None and etype == "agreement":
        status = "happened"  # an agreement named without any modality already exists
    if status is None:
        body = masked[sent.start : sent.end]
        status = "happened" if _PAST_HINT.search(body) or _WEAK_PAST.search(body) else "announced"
    if status == "announced" and etype == "meeting":
        status = "planned"  # a meeting declared for later is a scheduled one
    return status


def _event_date(
    dates: list[DateMention], trig: _Trigger, status: str, published: dt.date | None, others: list[_Trigger]
) -> dt.date | None:
    best: tuple[int, DateMention] | None = None
    for d in dates:
        mine = _gap(d.start, d.end, trig)
        if any(_gap(d.start, d.end, o) < mine for o in others if o.type != trig.type):
            continue  # "talks scheduled for Thursday ..., on the heels of tariffs": Thursday dates the talks
        if d.value is None and d.weekday is None:
            continue
        if d.precision not in ("day", "week", "month"):
            continue
        dist = (
            d.start - trig.end if d.start >= trig.end else (trig.start - d.end) * 2
        )  # after the trigger reads better
        if best is None or dist < best[0]:
            best = (dist, d)
    if best is None:
        return None
    d = best[1]
    if d.weekday is not None and d.modifier is None and published is not None:
        direction = {"happened": "past", "planned": "future", "expected": "future"}.get(status, "nearest")
        return resolve_weekday(d.weekday, published, direction)
    return d.value


def _gap(start: int, end: int, trig: _Trigger) -> int:
    return start - trig.end if start >= trig.end else max(0, trig.start - end)


def _subject(masked: str, sent: Sentence, trig: _Trigger) -> str:
    left = masked[sent.start : trig.start]
    words = left.split()
    keep: list[str] = []
    for w in reversed(words[-5:]):
        if re.fullmatch(
            r"(?:the|a|an|this|that|its|their|his|her|our|to|will|would|is|are|was|were|has|have|had|"
            r"be|been|and|of|on|in|for|with|by|said|also|plans|expected|announced|signed)",
            w,
            re.I,
        ) or re.search(r"[,;:()“”\"]$", w):
            break
        keep.insert(0, w)
    right = masked[trig.start : min(sent.end, trig.start + 160)]
    stop = _SUBJECT_STOP.search(right, len(masked[trig.start : trig.end]))
    right = right[: stop.start()] if stop else right
    right_words = right.split()[:12]
    subject = " ".join(keep + right_words)
    return " ".join(subject.split()).strip(" .,;:")


def _country_pair(analysis: EntityAnalysis) -> list[str]:
    counts = Counter(m.name for m in analysis.mentions if analysis.kinds.get(m.name) == "country")
    return [name for name, _ in counts.most_common(2)]


def _leader_pair(analysis: EntityAnalysis) -> list[str]:
    counts = Counter(m.name for m in analysis.mentions if m.type == "PERSON")
    return [name for name, _ in counts.most_common(2)]


def _pronoun_subject(masked: str, sent: Sentence, analysis: EntityAnalysis) -> str | None:
    """ "She also announced ...": the last person named before, of that gender when the gazetteer knows it."""
    m = _LEAD_PRONOUN.match(masked[sent.start : sent.end])
    if not m:
        return None
    gender = "m" if m.group() == "He" else "f"
    for mention in reversed(analysis.mentions):
        if mention.start >= sent.start or mention.type != "PERSON":
            continue
        if re.match(r"(?:’s|'s)", masked[mention.end : mention.end + 2]):
            continue
        known = analysis.genders.get(mention.name)
        if known and known != gender:
            continue
        return mention.name
    return None


def _participants(
    masked: str,
    sent: Sentence,
    etype: str,
    mentions: list[Mention],
    analysis: EntityAnalysis,
    quotes: list[Quote],
    span: tuple[int, int] | None = None,
) -> tuple[str, ...]:
    lo, hi = span or (sent.start, sent.end)
    names: list[str] = []
    persons: list[str] = []
    subject = _pronoun_subject(masked, sent, analysis) if lo == sent.start else None
    if subject:
        names.append(subject)
        persons.append(subject)
    for m in mentions:
        if not (lo <= m.start < hi) or m.name in analysis.media or m.type == "FAC":
            continue
        before = masked[max(sent.start, m.start - 40) : m.start]
        if _NOT_PARTICIPANT_BEFORE.search(before):
            continue
        if etype == "meeting" and m.type == "GPE" and _LOCATIVE_BEFORE.search(before):
            continue
        if (
            etype != "meeting"
            and m.type == "GPE"
            and analysis.kinds.get(m.name) == "city"
            and m.how != "metonym"
        ):
            continue
        if m.type == "PERSON" and m.name not in persons:
            persons.append(m.name)
        if m.name not in names:
            names.append(m.name)
    body = masked[sent.start : sent.end]
    if _BOTH_SIDES.search(body):
        names.extend(c for c in _country_pair(analysis) if c not in names)
    if etype == "meeting" and _BOTH_LEADERS.search(body):
        for p in _leader_pair(analysis):
            if p not in names:
                names.append(p)
                persons.append(p)
    for q in quotes:
        if not q.speaker or not (q.start < sent.end and sent.start < q.end):
            continue
        inside = masked[max(q.start, lo) : min(q.end, hi)]
        if _FIRST_PERSON.search(inside):  # "we" in a quote: the speaker's country
            own = analysis.countries.get(
                q.speaker, q.speaker if analysis.kinds.get(q.speaker) == "country" else None
            )
            if own and own not in names:
                names.insert(0, own)
        if (
            re.search(r"\bI\b", inside)
            and analysis.types.get(q.speaker) == "PERSON"
            and q.speaker not in names
        ):
            names.insert(0, q.speaker)  # "I just spoke by phone with the President"
            persons.insert(0, q.speaker)
    if etype == "meeting" and len(persons) >= 2:
        return tuple(persons[:MAX_PARTICIPANTS])
    if etype != "meeting":
        for p in persons:
            country = analysis.countries.get(p)
            if country and country not in names:
                names.append(country)
    return tuple(names[:MAX_PARTICIPANTS])


def _lead_date(
    sentences: list[Sentence], dates: list[DateMention], published: dt.date | None
) -> dt.date | None:
    """The day the story is about, when its opening sentences say so ("Today, ...", "met on Tuesday")."""
    if published is None:
        return None
    body = [s for s in sentences if not s.is_heading][:2]
    for s in body:
        for d in dates:
            if s.start <= d.start < s.end and d.precision == "day":
                value = (
                    resolve_weekday(d.weekday, published, "past")
                    if d.weekday is not None and d.modifier is None
                    else d.value
                )
                if value and published - dt.timedelta(days=3) <= value <= published:
                    return value
    return None


def find_events(
    masked: str,
    text: str,
    sentences: list[Sentence],
    analysis: EntityAnalysis,
    amounts: list[Amount],
    percents: list[Percent],
    dates: list[DateMention],
    quotes: list[Quote],
    published: dt.date | None,
) -> list[Event]:
    """Extract typed events from the sentences of one article.

    Args:
        masked: the masked article text (for matching).
        text: the original article text (for verbatim evidence).
        sentences: sentence spans.
        analysis: entity mentions and what is known about each name.
        amounts: money amounts in the text.
        percents: percentages in the text.
        dates: date expressions in the text.
        quotes: attributed quotes (for "we" inside a quote).
        published: publication date.

    Returns:
        Events in text order, deduplicated by (type, amount) and (type, date, participants).
    """
    cover = bytearray(len(masked))
    for m in analysis.mentions:
        if m.type in ("ORG", "FAC") or (m.type == "GPE" and m.end - m.start > 12):
            cover[m.start : m.end] = b"\x01" * (m.end - m.start)
    lead = _lead_date(sentences, dates, published)
    raw = _raw_triggers(masked)
    mention_starts = [m.start for m in analysis.mentions]
    events: list[Event] = []
    for sent in sentences:
        if sent.is_heading:
            continue
        triggers = _find_triggers(masked, sent, raw, cover)
        if not triggers:
            continue
        s_mentions = analysis.mentions[
            bisect.bisect_left(mention_starts, sent.start) : bisect.bisect_left(mention_starts, sent.end)
        ]
        s_amounts = [
            a
            for a in amounts
            if sent.start <= a.start < sent.end
            and not _TOTAL_BEFORE.search(masked[max(sent.start, a.start - 50) : a.start])
        ]
        s_percents = [p for p in percents if sent.start <= p.start < sent.end]
        s_dates = [d for d in dates if sent.start <= d.start < sent.end]
        by_type: dict[str, _Trigger] = {}
        for trig in sorted(triggers, key=lambda t: t.start):
            if trig.type == "meeting" and not trig.noun and _MEET_VERB.match(masked[trig.start : trig.end]):
                after = masked[trig.end : min(sent.end, trig.end + 70)].split(";")[0]
                if not any(trig.end <= m.start < trig.end + len(after) for m in s_mentions):
                    continue
            if (
                trig.type == "investment"
                and trig.noun
                and not s_amounts
                and masked[trig.start : trig.end].lower()
                in ("package", "stake", "stakes", "loan", "loans", "funding", "financing")
            ):
                continue
            news = any(
                d.precision == "day" and not trig.start - 40 <= d.start < trig.start for d in s_dates
            ) or (trig.type not in ("meeting", "agreement") and (s_amounts or s_percents))
            if trig.reference and not news:
                continue
            current = by_type.get(trig.type)
            if current is None or (current.reference and not trig.reference):
                by_type[trig.type] = trig
        agreement = by_type.get("agreement")
        if (
            agreement
            and "investment" not in by_type
            and masked[agreement.start : agreement.end].lower() in ("deal", "deals")
            and any(0 <= a.start - agreement.end <= 60 for a in s_amounts)
        ):
            by_type["investment"] = by_type.pop(
                "agreement"
            )  # "a deal valued at over $100 million": a purchase
        if "defense" in by_type and "investment" in by_type and not s_amounts:
            del by_type["investment"]  # "buying more defense equipment" is a defense purchase
        if "other_commitment" in by_type and len(by_type) > 1:
            del by_type["other_commitment"]
        if (
            "investment" in by_type
            and not s_amounts
            and not re.search(
                r"\b(?:invest|invests|investing|purchase|purchases|buy|buying|offtake|letters?\s+of\s+intent|financial\s+support|financing)\b",
                masked[sent.start : sent.end],
                re.I,
            )
        ):
            del by_type["investment"]
        evidence = text[sent.start : sent.end]
        for etype, trig in by_type.items():
            status = _status_for(masked, sent, trig, etype)
            date = _event_date(s_dates, trig, status, published, triggers)
            if etype == "meeting" and date and published:
                if (
                    date < published
                    and status in ("planned", "expected", "announced")
                    and not _STATED_PLAN.search(masked, sent.start, trig.start)
                ):
                    status = "happened"
                elif date > published and status == "happened":
                    status = "planned"
            if (
                date is None
                and lead
                and status == "happened"
                and etype in ("meeting", "agreement")
                and not _OWN_TIME.search(masked[sent.start : sent.end])
            ):
                date = lead
            percent = _nearest_percent(s_percents, trig)
            subject = _subject(masked, sent, trig)
            if etype == "investment" and len(s_amounts) > 1:
                for k, figure in enumerate(s_amounts):
                    seg_lo = sent.start if k == 0 else figure.start
                    seg_hi = s_amounts[k + 1].start if k + 1 < len(s_amounts) else sent.end
                    orgs = _participants(masked, sent, etype, s_mentions, analysis, quotes, (seg_lo, seg_hi))
                    shared = _participants(
                        masked, sent, etype, [m for m in s_mentions if m.type == "GPE"], analysis, quotes
                    )
                    parts = tuple(dict.fromkeys(shared + orgs))[:MAX_PARTICIPANTS]
                    seg_subject = " ".join(masked[figure.start : seg_hi].split()[:14]).strip(" .,;:")
                    events.append(
                        Event(
                            etype,
                            status,
                            _iso(date),
                            parts,
                            figure,
                            percent,
                            seg_subject,
                            evidence,
                            sent.start,
                            sent.end,
                        )
                    )
                continue
            amount = _nearest_amount(s_amounts, trig) if etype != "meeting" else None
            if (
                amount
                and etype != "investment"
                and min(abs(amount.start - trig.end), abs(trig.start - amount.end)) > AMOUNT_REACH
            ):
                amount = None
            clause = _acknowledged_clause(masked, sent, amount) if amount else None
            parts = _participants(masked, sent, etype, s_mentions, analysis, quotes, clause)
            if not parts and clause is None:
                if etype == "meeting":
                    continue  # "please visit the dashboard": nobody meets anybody
                parts = tuple(_country_pair(analysis))
            events.append(
                Event(
                    etype, status, _iso(date), parts, amount, percent, subject, evidence, sent.start, sent.end
                )
            )
    return _dedup(events)


def _acknowledged_clause(masked: str, sent: Sentence, amount: Amount) -> tuple[int, int] | None:
    """The span of the relative clause that holds ``amount`` when the main clause only welcomes or notes it.

    In "The leaders welcomed the outcomes of the Forum, which ... highlight $50 billion of projects" the figure
    is the Forum's, so its participants are read from ", which ..." to the end of the sentence.
    """
    head = _ACKNOWLEDGE.search(masked, sent.start, amount.start)
    if head is None:
        return None
    relatives = list(_RELATIVE.finditer(masked, head.end(), amount.start))
    return (relatives[-1].start(), sent.end) if relatives else None


def _nearest_amount(items: list[Amount], trig: _Trigger) -> Amount | None:
    return min(items, key=lambda a: abs(a.start - trig.start), default=None)


def _nearest_percent(items: list[Percent], trig: _Trigger) -> float | None:
    best = min(items, key=lambda p: abs(p.start - trig.start), default=None)
    return best.value if best else None


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _dedup(events: list[Event]) -> list[Event]:
    out: list[Event] = []
    for ev in events:
        duplicate = False
        for k, prev in enumerate(out):
            if prev.type != ev.type:
                continue
            a, b = set(prev.participants), set(ev.participants)
            same_amount = (
                prev.amount is not None
                and ev.amount is not None
                and prev.amount.currency == ev.amount.currency
                and abs(prev.amount.value - ev.amount.value) <= 0.005 * max(prev.amount.value, 1.0)
                and (a <= b or b <= a)  # the same figure with other partners is another deal
            )
            same_day = (
                ev.type == "meeting"
                and prev.date is not None
                and prev.date == ev.date
                and set(prev.participants) & set(ev.participants)
            )
            if same_amount or (same_day and prev.evidence_start != ev.evidence_start):
                duplicate = True
                if prev.amount is None and ev.amount is not None:
                    out[k] = ev
                break
        if not duplicate:
            out.append(ev)
    return out


def sentence_participants(
    masked: str,
    sent: Sentence,
    etype: str,
    mentions: list[Mention],
    analysis: EntityAnalysis,
    quotes: list[Quote],
) -> tuple[str, ...]:
    """The participants of an event of ``etype`` read from sentence ``sent`` (for ``pipeline.facts.syntax``)."""
    return _participants(masked, sent, etype, mentions, analysis, quotes)


def dedup_events(events: list[Event]) -> list[Event]:
    """Events in order without repeats of one figure or one day's meeting (see ``find_events``)."""
    return _dedup(events)
