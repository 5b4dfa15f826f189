"""Facts from a Japanese news item: entities, amounts, events with status and date, and quotes with speakers.

``pipeline.facts.document.extract`` routes an article here when its language is Japanese. The records are the
English ones (``Event``, ``Quote``, ``Amount``, entity mentions under canonical English names), so everything
after the facts stage is language-blind. The approach is patterns over sentences, because NHK-style copy is
regular: the predicate and its modality close the clause ("…に臨みます" planned, "…を超える見込みです"
expected, "…会談し、…と評価しました" happened), a quote sits in 「」 before "と述べました", and the speaker is
the subject marked with は / が before it. Its words live in ``lexicon/ja.py``.

GiNZA (``ja-ginza`` 5.3, a spaCy pipeline with a Japanese parse and NER) was measured against these patterns on the
Japanese dev gold and not kept: 127 MB of wheels (288 MB installed), 2 s of CPU to load and 500 MB resident, and
71 ms of CPU per NHK item against 0.8 ms here. Read as the nsubj/obl dependents of the speech verb, its parse of
the four quoted sentences gave the speaker once alone (イラン側), once among four dependents, once not at all and
once wrongly (a name inside the quote); these patterns name all four speakers. Its NER returns Japanese surfaces with labels such as "Food_Other" for
"トランプ政権", so the English canonical names would still come from the gazetteer.

Entities come from the shared gazetteer (``config/entities.yaml`` holds Japanese aliases), the Japanese
supplement of ``lexicon/ja.py`` and the headline abbreviations ("日米" = Japan and the United States).
Spans index ``text``; a span in the title is stored with negative offsets: ``start < 0`` means the span is
``title[start + len(title) : end + len(title)]`` (NHK titles carry quotes and names the summary does not).
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Protocol, TypeVar

from pipeline.facts.amounts import Amount, Percent, find_amounts
from pipeline.facts.entities.finder import find_entities
from pipeline.facts.entities.mentions import EntityAnalysis, Mention
from pipeline.facts.events import Event
from pipeline.facts.gazetteer import load_gazetteer, norm_surface
from pipeline.facts.lexicon import ja
from pipeline.facts.quotes import Quote
from pipeline.text import Sentence, mask_markup, split_sentences

logger = logging.getLogger(__name__)

_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_KANA = re.compile(r"[\u3040-\u30ff]")
_LATIN = re.compile(r"[A-Za-z]")
_KATAKANA_LETTER = "\u30a1-\u30fa\u30fc-\u30ff"  # not the middle dot "・" between names
_NOUN_CHAR = re.compile(r"[\u4e00-\u9fff\u30a0-\u30ffA-Za-z0-9ー・]")
_TRIGGERS = [(etype, re.compile(pattern)) for etype, pattern in ja.TRIGGERS.items()]
_NOT_EVENT_AFTER = re.compile(ja.NOT_EVENT_AFTER)
_NOT_EVENT_BEFORE = re.compile(f"(?:{ja.NOT_EVENT_BEFORE})$")
_REFERENCE_BEFORE = re.compile(ja.REFERENCE_BEFORE)
_AGENDA_AFTER = re.compile(ja.AGENDA_AFTER)
_WEAK_MEETING = re.compile(ja.WEAK_MEETING)
_LEXICAL = [(status, re.compile(pattern)) for status, pattern in ja.LEXICAL_CUES.items()]
_SCOPING = [(status, re.compile(pattern)) for status, pattern in ja.SCOPING_CUES.items()]
_OWN_CLAUSE_END = re.compile(ja.OWN_CLAUSE_END)
_PAST = re.compile(ja.PAST)
_PREDICATE = re.compile(ja.PREDICATE)
_ANNOUNCE = re.compile(ja.ANNOUNCE)
_CLAUSE_BREAK = re.compile(ja.CLAUSE_BREAK)
_COORDINATOR_AFTER = re.compile(f"^(?:{ja.COORDINATORS})")
_SPEECH_AFTER = re.compile(ja.SPEECH_AFTER)  # used with match(text, pos): anchored at pos
_SUBJECT_AFTER = re.compile(f"(?:の?(?:{ja.ROLE_SUFFIX}))?(?:側)?(?:{ja.SUBJECT_MARK})")
_ROLE_SUBJECT = re.compile(f"(?P<role>{ja.ROLE_SUFFIX})(?:は|が)")
_ROLE_AFTER = re.compile(f"(?:{ja.ROLE_SUFFIX})")
_ROLE_AT_END = re.compile(f"(?:{ja.ROLE_SUFFIX})$")
_ABBR = "".join(ja.COUNTRY_ABBREVIATIONS)
_ABBR_NOT_CHINA = _ABBR.replace("中", "")
_ABBR_PAIR = re.compile(rf"(?<![\u4e00-\u9fff])[{_ABBR}]{{2,3}}(?={ja.PAIR_HEADS})")
_ABBR_SINGLE = re.compile(
    rf"(?<![\u4e00-\u9fff])[{_ABBR}](?={ja.SINGLE_HEADS})|(?<=[{ja.PREFIXES_BEFORE_ABBREVIATION}])[{_ABBR_NOT_CHINA}]|(?<=[対訪])中"
)
_NOT_COUNTRY_AFTER = re.compile(f"^(?:{ja.NOT_COUNTRY_AFTER})")
_SURNAME_OFFICE = re.compile(
    rf"(?<![\u4e00-\u9fff])(?P<surname>[\u4e00-\u9fff]{{1,3}}?)"
    rf"(?P<office>{'|'.join(sorted(ja.OFFICES, key=len, reverse=True))})"
)
_OWN_GOVERNMENT = re.compile(f"(?<![^{ja.OWN_GOVERNMENT_BEFORE}]){ja.OWN_GOVERNMENT}")
_DATE = re.compile(
    rf"(?P<relm>{'|'.join(ja.RELATIVE_MONTHS)})(?P<rd>\d{{1,2}})日|"
    rf"(?:(?P<y>\d{{4}})年)?(?P<m>\d{{1,2}})月(?P<d>\d{{1,2}})日|(?<![\d月.,])(?P<day>\d{{1,2}})日(?!{ja.DAY_NOT_AFTER})|"
    rf"(?P<rel>{'|'.join(sorted({**ja.RELATIVE_DAYS, **ja.RELATIVE_WEEKS, **ja.RELATIVE_MONTHS}, key=len, reverse=True))})"
)
_PERCENT = re.compile(r"(?<![\d.])(?P<num>\d+(?:\.\d+)?)\s*(?:%|％|パーセント)")
MAX_PARTICIPANTS = 8
REACH = 200  # chars: how far from a trigger or a quote its status, date, figure and subject are looked for
EARLIER_SENTENCES = 2  # sentences looked back for an implicit speaker
RECENT_EVENTS = 8  # undated events of a type an undated one may repeat


class _Spanned(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


_S = TypeVar("_S", bound=_Spanned)


@dataclass(frozen=True)
class JaEntity:
    """One entity mention with its surface (the text or title slice it was read from)."""

    name: str
    type: str
    start: int
    end: int
    surface: str


@dataclass
class JaFacts:
    """What a Japanese item yields, in the records the English path uses."""

    entities: list[JaEntity] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)


@dataclass(frozen=True)
class _JaDate:
    start: int
    end: int
    text: str
    year: int | None
    month: int | None
    day: int | None
    relative: str | None


def is_japanese(text: str) -> bool:
    """Whether ``text`` reads as Japanese, for callers given no language: kana, and more of it than of Latin letters
    (an English story quoting a Japanese phrase stays English)."""
    sample = text[:2000]
    kana = len(_KANA.findall(sample))
    return kana >= 3 and kana * 4 > len(_LATIN.findall(sample))


@lru_cache(maxsize=1)
def _supplement() -> tuple[re.Pattern[str], dict[str, tuple[str, str, str]]]:
    table = {**ja.PLACES, **ja.ORGANIZATIONS, **ja.PERSONS}
    forms = sorted(table, key=len, reverse=True)
    alternation = "|".join(re.escape(f) for f in forms)
    pattern = re.compile(rf"(?<![{_KATAKANA_LETTER}A-Za-z])(?:{alternation})(?![{_KATAKANA_LETTER}A-Za-z])")
    return pattern, table


def _entities(masked: str, sentences: list[Sentence], published: dt.date | None, title: str) -> EntityAnalysis:
    """The shared gazetteer's mentions, plus the Japanese supplement and the headline abbreviations."""
    analysis = find_entities(masked, {s.start for s in sentences}, published, title, statistical=False)
    gaz = load_gazetteer()
    mentions: list[Mention] = []
    for m in analysis.mentions:
        if m.type == "GPE" and _NOT_COUNTRY_AFTER.match(masked[m.end : m.end + 3]):
            continue  # "日本時間", "米ドル"
        if m.how == "metonym":  # Japanese copy names the government ("中国政府"), a capital is the city
            city = gaz.surface.get(norm_surface(masked[m.start : m.end]), ("", ""))[0]
            if city:
                m = replace(m, name=city, how="name")
                analysis.types.setdefault(city, "GPE")
                analysis.kinds.setdefault(city, "city")
        mentions.append(m)
    pattern, table = _supplement()
    hits = [h for h in pattern.finditer(masked)]
    # A longer Japanese name wins over a gazetteer name inside it ("アメリカの海軍" over "アメリカ").
    mentions = [m for m in mentions if not any(h.start() <= m.start and m.end <= h.end() and h.end() - h.start() > m.end - m.start for h in hits)]
    taken = bytearray(len(masked))
    for m in mentions:
        taken[m.start : m.end] = b"\x01" * (m.end - m.start)
    extra: list[Mention] = []
    for hit in hits:
        if taken.find(1, hit.start(), hit.end()) != -1:
            continue
        name, etype, kind = table[hit.group()]
        extra.append(Mention(name, etype, hit.start(), hit.end(), "gazetteer"))
        taken[hit.start() : hit.end()] = b"\x01" * (hit.end() - hit.start())
        if kind and kind != "media":
            analysis.kinds.setdefault(name, kind)
        if kind == "media":
            analysis.media = analysis.media | {name}
    for hit in _SURNAME_OFFICE.finditer(masked):
        if taken.find(1, hit.start(), hit.end()) != -1:
            continue
        holder = _office_holder(ja.OFFICES[hit.group("office")], published)
        entry = gaz.entries.get(holder or "")
        if entry and any(alias.startswith(hit.group("surname")) for alias in entry.aliases):
            extra.append(Mention(entry.name, "PERSON", hit.start(), hit.end(), "role", "name"))
            taken[hit.start() : hit.end()] = b"\x01" * (hit.end() - hit.start())
            if entry.country:
                analysis.countries.setdefault(entry.name, entry.country)
    for hit in _OWN_GOVERNMENT.finditer(masked):
        if taken.find(1, hit.start(), hit.end()) == -1:
            extra.append(Mention("Japan", "GPE", hit.start(), hit.end(), "rule", "metonym"))
            analysis.kinds.setdefault("Japan", "country")
            taken[hit.start() : hit.end()] = b"\x01" * (hit.end() - hit.start())
    for regex in (_ABBR_PAIR, _ABBR_SINGLE):
        for hit in regex.finditer(masked):
            if taken.find(1, hit.start(), hit.end()) != -1:
                continue
            for pos in range(hit.start(), hit.end()):
                name = ja.COUNTRY_ABBREVIATIONS[masked[pos]]
                extra.append(Mention(name, "GPE", pos, pos + 1, "rule", "abbreviation"))
                analysis.kinds.setdefault(name, "country")
            taken[hit.start() : hit.end()] = b"\x01" * (hit.end() - hit.start())
    analysis.mentions = sorted(mentions + extra, key=lambda m: (m.start, m.end))
    for m in extra:
        analysis.types.setdefault(m.name, m.type)
    return analysis


# --- quotes ----------------------------------------------------------------------------------------------------


def _brackets(masked: str) -> list[tuple[int, int]]:
    """Spans inside the outermost 「」 pairs (a 「」 inside one stays part of it)."""
    spans: list[tuple[int, int]] = []
    depth, open_at = 0, -1
    for i, ch in enumerate(masked):
        if ch == "「":
            if depth == 0:
                open_at = i + 1
            depth += 1
        elif ch == "」" and depth:
            depth -= 1
            if depth == 0:
                spans.append((open_at, i))
    return spans


def _in_span(cover: bytearray, start: int, end: int) -> bool:
    return cover.find(0, start, end) == -1 and end > start


class _Mentions:
    """A document's mentions indexed by start, for range look-ups in time linear in the document overall."""

    def __init__(self, mentions: list[Mention]) -> None:
        self.items = sorted(mentions, key=lambda m: (m.start, m.end))
        self.starts = [m.start for m in self.items]

    def between(self, lo: int, hi: int) -> list[Mention]:
        """Mentions that start in ``lo``-``hi`` (and end by ``hi``)."""
        i, j = bisect.bisect_left(self.starts, lo), bisect.bisect_left(self.starts, hi)
        return [m for m in self.items[i:j] if m.end <= hi]


def _subject_before(masked: str, mentions: list[Mention], media: frozenset[str]) -> str | None:
    """The last person or organisation marked as the subject ("…は", "…が") among ``mentions``."""
    best: str | None = None
    fallback: str | None = None
    for m in mentions:
        if m.name in media:
            continue
        if _SUBJECT_AFTER.match(masked, m.end, m.end + 12):
            if m.type in ("PERSON", "ORG") or best is None:
                best = m.name
        elif m.type == "PERSON" and fallback is None:
            fallback = m.name
    return best or fallback


@lru_cache(maxsize=64)
def _office_holder(office: str, published: dt.date | None) -> str | None:
    """Who held ``office`` on ``published``, by the gazetteer's roles and terms; None unless exactly one."""
    if published is None:
        return None
    holders = [
        e.name
        for e in load_gazetteer().entries.values()
        if e.role == office and any(a <= published and (b is None or published < b) for a, b in e.terms)
    ]
    return holders[0] if len(holders) == 1 else None


def _named_roles(masked: str, mentions: list[Mention]) -> dict[str, set[str]]:
    """Role word -> the people the item names with it ("レビット報道官", "トランプ大統領")."""
    out: dict[str, set[str]] = {}
    for m in mentions:
        if m.type != "PERSON":
            continue
        for hit in (_ROLE_AFTER.match(masked, m.end, m.end + 10), _ROLE_AT_END.search(masked, m.start, m.end)):
            if hit:
                out.setdefault(hit.group(), set()).add(m.name)
    return out


def _role_speaker(
    masked: str,
    lo: int,
    hi: int,
    mention_cover: bytearray,
    mention_ends: set[int],
    named_roles: dict[str, set[str]],
    published: dt.date | None,
) -> str | None:
    """A bare role as the subject ("首相は", "報道官が"): the person the item names with that role, else its holder."""
    for hit in reversed(list(_ROLE_SUBJECT.finditer(masked, lo, hi))):
        if hit.start() in mention_ends or mention_cover[hit.start()]:
            continue  # "ルビオ国務長官は": the named person's own role
        role = hit.group("role")
        named = named_roles.get(role, set())
        if len(named) == 1:
            return next(iter(named))
        office = ja.OFFICES.get(role)
        holder = _office_holder(office, published) if office else None
        if holder:
            return holder
    return None


def _quotes(
    masked: str, text: str, sentences: list[Sentence], analysis: EntityAnalysis, published: dt.date | None
) -> list[Quote]:
    out: list[Quote] = []
    starts = [s.start for s in sentences]
    spans = _brackets(masked)
    bracket_cover = bytearray(len(masked))
    for a, b in spans:
        bracket_cover[a:b] = b"\x01" * (b - a)
    outside = _Mentions([m for m in analysis.mentions if not _in_span(bracket_cover, m.start, m.end)])
    mention_cover = bytearray(len(masked))
    for m in analysis.mentions:
        mention_cover[m.start : m.end] = b"\x01" * (m.end - m.start)
    mention_ends = {m.end for m in analysis.mentions}
    named_roles = _named_roles(masked, analysis.mentions)
    topic: str | None = None  # the person the item is about so far: a speaker left implicit is that person
    for a, b in spans:
        if not _SPEECH_AFTER.match(masked, b + 1, b + 40) or not masked[a:b].strip():
            continue
        k = max(bisect.bisect_right(starts, a - 1) - 1, 0)
        sent = sentences[k] if sentences else Sentence(0, len(masked), False)
        lo = max(sent.start, a - REACH)
        speaker = _subject_before(masked, outside.between(lo, a), analysis.media)
        if speaker is None:
            speaker = _role_speaker(masked, lo, a, mention_cover, mention_ends, named_roles, published)
        if speaker is None:
            for earlier in reversed(sentences[max(0, k - EARLIER_SENTENCES) : k]):
                candidate = _subject_before(
                    masked, outside.between(max(earlier.start, earlier.end - REACH), earlier.end), analysis.media
                )
                if candidate and analysis.types.get(candidate) == "PERSON":
                    speaker = candidate
                    break
        speaker = speaker or topic
        if speaker and analysis.types.get(speaker) == "PERSON":
            topic = speaker
        out.append(Quote(speaker, text[a:b], a, b))
    return out


def _title_quotes(title: str, t_analysis: EntityAnalysis, text_analysis: EntityAnalysis, masked_text: str) -> list[Quote]:
    """Headline quotes: 「…」 right after or right before its speaker ("高市首相「…」", "「…」米報道官")."""
    out: list[Quote] = []
    shift = len(title)
    for a, b in _brackets(title):
        before = [m for m in t_analysis.mentions if m.end <= a - 1 and a - 1 - m.end <= 6]
        after = [m for m in t_analysis.mentions if m.start >= b + 1 and m.start - (b + 1) <= 2]
        speaker: str | None = None
        for m in before[-1:] + after[:1]:
            if m.type in ("PERSON", "ORG") and m.name not in t_analysis.media:
                speaker = m.name
                break
        if speaker is None:
            # A role standing for the person the summary names: "「…」米報道官" and "レビット報道官" below.
            near = title[max(0, a - 8) : a - 1] + "|" + title[b + 1 : b + 10]
            role = next((r for r in re.findall(ja.ROLE_SUFFIX, near)), None)
            if role is None:
                continue
            speaker = next(
                (
                    m.name
                    for m in text_analysis.mentions
                    if m.type == "PERSON" and masked_text[m.end : m.end + len(role)] == role
                ),
                None,
            )
            if speaker is None:
                continue
        out.append(Quote(speaker, title[a:b], a - shift, b - shift))
    return out


def _percents(digits: str) -> list[Percent]:
    """Percentages: "10％", "2.5%", "15パーセント" (a Japanese word before the figure is no boundary)."""
    return [Percent(float(m.group("num")), None, m.group(), m.start(), m.end()) for m in _PERCENT.finditer(digits)]


# --- dates -----------------------------------------------------------------------------------------------------


def _dates(digits: str) -> list[_JaDate]:
    out: list[_JaDate] = []
    for m in _DATE.finditer(digits):
        if m.group("relm"):
            if 1 <= int(m.group("rd")) <= 31:  # "今月24日", "来月3日"
                out.append(_JaDate(m.start(), m.end(), m.group(), None, None, int(m.group("rd")), m.group("relm")))
        elif m.group("rel"):
            out.append(_JaDate(m.start(), m.end(), m.group(), None, None, None, m.group("rel")))
        elif m.group("day"):
            day = int(m.group("day"))
            if 1 <= day <= 31:
                out.append(_JaDate(m.start(), m.end(), m.group(), None, None, day, None))
        else:
            month, day = int(m.group("m")), int(m.group("d"))
            if 1 <= month <= 12 and 1 <= day <= 31:
                year = int(m.group("y")) if m.group("y") else None
                out.append(_JaDate(m.start(), m.end(), m.group(), year, month, day, None))
    return out


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def _resolve(d: _JaDate, published: dt.date | None, direction: str) -> tuple[dt.date | None, str]:
    """A date's value and precision; a bare "20日" is the nearest such day, looking back for past events."""
    if d.relative:
        if published is None:
            return None, "day"
        if d.relative in ja.RELATIVE_DAYS:
            return published + dt.timedelta(days=ja.RELATIVE_DAYS[d.relative]), "day"
        if d.relative in ja.RELATIVE_WEEKS:
            monday = published - dt.timedelta(days=published.weekday())
            return monday + dt.timedelta(weeks=ja.RELATIVE_WEEKS[d.relative]), "week"
        year, month = _shift_month(published.year, published.month, ja.RELATIVE_MONTHS[d.relative])
        if d.day is not None:
            try:
                return dt.date(year, month, d.day), "day"
            except ValueError:
                return None, "day"
        return dt.date(year, month, 1), "month"
    assert d.day is not None
    if d.month is not None:
        if d.year is not None:
            try:
                return dt.date(d.year, d.month, d.day), "day"
            except ValueError:
                return None, "day"
        if published is None:
            return None, "day"
        options = []
        for year in (published.year - 1, published.year, published.year + 1):
            try:
                options.append(dt.date(year, d.month, d.day))
            except ValueError:
                continue
        return min(options, key=lambda c: abs((c - published).days), default=None), "day"
    if published is None:
        return None, "day"
    candidates: list[dt.date] = []
    for by in (-1, 0, 1):
        year, month = _shift_month(published.year, published.month, by)
        try:
            candidates.append(dt.date(year, month, d.day))
        except ValueError:
            continue
    # One day of slack each way: a feed's UTC date is a day behind Tokyo's until 09:00 JST, so a story
    # published "on the 11th" may tell of a measure taken "12日" in Japan time.
    slack = dt.timedelta(days=1)
    if direction == "past":
        candidates = [c for c in candidates if c <= published + slack] or candidates
    elif direction == "future":
        candidates = [c for c in candidates if c >= published - slack] or candidates
    return min(candidates, key=lambda c: abs((c - published).days)), "day"


# --- events ----------------------------------------------------------------------------------------------------


def _clause_end(masked: str, start: int, sent_end: int) -> int:
    """Where the clause holding ``start`` stops reaching: a contrastive conjunction or the sentence end."""
    m = _CLAUSE_BREAK.search(masked, start, sent_end)
    return m.start() if m else sent_end


def _status(masked: str, etype: str, start: int, end: int) -> str:
    """Status from what follows the trigger up to its clause end (see ``lexicon/ja.py``, status cues)."""
    window = masked[start:end]
    own_end = _OWN_CLAUSE_END.search(window)
    own = window[: own_end.start()] if own_end else window
    for cues, text in ((_LEXICAL, own), (_SCOPING, window)):
        last: tuple[int, str, int] | None = None
        for status, pattern in cues:
            for m in pattern.finditer(text):
                if last is None or m.start() >= last[0]:
                    last = (m.start(), status, m.end())
        if last is not None:
            after = text[last[2] :]
            if last[1] == "planned" and etype not in ("meeting", "agreement") and _ANNOUNCE.search(after) and _PAST.search(after):
                return "announced"  # "投資する計画を発表しました": declared now, to be done
            return last[1]
    if _PAST.search(window):
        if etype in ("investment", "defense", "other_commitment") and _ANNOUNCE.search(window):
            return "announced"
        return "happened"
    return "planned"


def _date_applies(masked: str, date: _JaDate, t_start: int, t_end: int) -> bool:
    """A date in the sentence dates the trigger unless a predicate closes a clause between them.

    Before the trigger, a relative clause ("13日、来日する大統領と会談") does not close the date's reach: only a
    predicate that ends a clause (before "、" or "。") does. After the trigger, any predicate does: the trigger
    sat in a clause that is over ("会談を行った首相は、15日、帰国").
    """
    before = date.end <= t_start
    between = masked[date.end : t_start] if before else masked[t_end : date.start]
    for m in _PREDICATE.finditer(between):
        rest = between[m.end() :]
        if _COORDINATOR_AFTER.match(rest):
            continue
        if before and rest[:1] not in ("、", "。"):
            continue
        return False
    return True


def _subject(masked: str, sent: Sentence, start: int, end: int) -> str:
    """The noun compound ending in the trigger: "日米首脳会談", "新たな関税措置" reads "関税措置"."""
    lo = start
    while lo > sent.start and start - lo < 12 and _NOUN_CHAR.match(masked[lo - 1]):
        lo -= 1
    hi = end
    while hi < sent.end and hi - end < 4 and _NOUN_CHAR.match(masked[hi]) and masked[hi] not in "をがはにでとの":
        hi += 1
    return masked[lo:hi]


def _can_take_part(m: Mention, analysis: EntityAnalysis, quoted: bytearray) -> bool:
    """Whether a mention can be an event's participant: not quoted, not a news outlet, a facility or a mere place."""
    if _in_span(quoted, m.start, m.end) or m.name in analysis.media or m.type == "FAC":
        return False
    return not (m.type == "GPE" and analysis.kinds.get(m.name, "country") != "country")


def _participants(etype: str, s_mentions: list[Mention], analysis: EntityAnalysis) -> list[str]:
    names = list(dict.fromkeys(m.name for m in s_mentions))
    people = [n for n in names if analysis.types.get(n) == "PERSON"]
    if etype == "meeting" and len(people) >= 2:
        return people
    return names[:MAX_PARTICIPANTS]


def _nearest(items: list[_S], t_start: int, t_end: int) -> _S | None:
    return min(items, key=lambda x: min(abs(x.start - t_end), abs(t_start - x.end)), default=None)


def _within(items: list[_S], starts: list[int], lo: int, hi: int) -> list[_S]:
    return items[bisect.bisect_left(starts, lo) : bisect.bisect_left(starts, hi)]


def _events(
    masked: str,
    text: str,
    sentences: list[Sentence],
    analysis: EntityAnalysis,
    amounts: list[Amount],
    percents: list[Percent],
    quoted: bytearray,
    published: dt.date | None,
) -> list[Event]:
    dates = _dates(masked)
    date_starts = [d.start for d in dates]
    amount_starts = [x.start for x in amounts]
    percent_starts = [x.start for x in percents]
    mentions = _Mentions([m for m in analysis.mentions if _can_take_part(m, analysis, quoted)])
    main_sides = {etype: _main_sides(analysis, etype) for etype in ja.TRIGGERS}
    events: list[Event] = []
    types_seen: set[str] = set()
    previous: list[str] = []
    for sent in sentences:
        found: dict[tuple[str, int], tuple[int, int]] = {}
        for etype, pattern in _TRIGGERS:
            for m in pattern.finditer(masked, sent.start, sent.end):
                t_start, t_end = m.start(), m.end()
                reach = min(sent.end, t_end + REACH)
                if quoted[t_start]:
                    continue
                if _NOT_EVENT_AFTER.match(masked, t_end) or _NOT_EVENT_BEFORE.search(masked, max(sent.start, t_start - 2), t_start):
                    continue
                if etype != "meeting" and _AGENDA_AFTER.search(masked, t_end, reach):
                    continue
                if etype in types_seen and _REFERENCE_BEFORE.search(masked, max(sent.start, t_start - 4), t_start):
                    continue
                clause = _clause_end(masked, t_end, reach)
                pred = _PREDICATE.search(masked, t_end, clause)
                key = (etype, pred.start() if pred else clause)
                if key not in found:
                    found[key] = (t_start, t_end)
        for (etype, _), (t_start, t_end) in sorted(found.items(), key=lambda kv: kv[1]):
            lo, reach = max(sent.start, t_start - REACH), min(sent.end, t_end + REACH)
            clause = _clause_end(masked, t_end, reach)
            status = _status(masked, etype, t_end, clause)
            direction = "future" if status in ("planned", "expected", "proposed") else "past"
            s_dates = [d for d in _within(dates, date_starts, lo, reach) if _date_applies(masked, d, t_start, t_end)]
            nearest = _nearest(s_dates, t_start, t_end)
            date_value = _resolve(nearest, published, direction)[0] if nearest else None
            participants = _participants(etype, mentions.between(lo, reach), analysis)
            sides = [p for p in participants if analysis.types.get(p) in ("PERSON", "GPE")]
            weak = etype == "meeting" and _WEAK_MEETING.fullmatch(masked, t_start, t_end) is not None
            if weak and not any(analysis.types.get(p) == "PERSON" for p in sides) and len(sides) < 2:
                continue  # "協議" of a ruling party with the cabinet: no leader, no two countries
            fallback = previous or main_sides[etype]
            if etype == "meeting" and not sides and not fallback:
                continue
            if not participants:
                participants = fallback
            amount = None
            if etype == "investment":
                amount = _nearest(_within(amounts, amount_starts, lo, reach), t_start, t_end)
            percent = None
            if etype in ("trade_measure", "defense"):
                found_percent = _nearest(_within(percents, percent_starts, max(lo, t_start - 40), clause), t_start, t_end)
                percent = found_percent.value if found_percent else None
            events.append(
                Event(
                    etype,
                    status,
                    date_value.isoformat() if date_value else None,
                    tuple(participants),
                    amount,
                    percent,
                    _subject(masked, sent, t_start, t_end),
                    text[sent.start : sent.end],
                    sent.start,
                    sent.end,
                )
            )
            types_seen.add(etype)
            previous = participants
    return _dedup(events)


def _main_sides(analysis: EntityAnalysis, etype: str) -> list[str]:
    """The item's two most-named sides: people for a meeting when it names two, else countries."""
    counts: dict[str, int] = {}
    people: dict[str, int] = {}
    for m in analysis.mentions:
        if m.type == "GPE" and analysis.kinds.get(m.name, "country") == "country":
            counts[m.name] = counts.get(m.name, 0) + 1
        elif m.type == "PERSON":
            people[m.name] = people.get(m.name, 0) + 1
    if etype == "meeting" and len(people) >= 2:
        counts = people
    return [name for name, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:2]]


def _dedup(events: list[Event]) -> list[Event]:
    """One event per (type, date, participants) when dated, per (type, amount) when it has a figure; an undated
    event of a later sentence whose participants are among those of a recent undated one is that event told again.
    Two predicates of one sentence are two measures ("停止する一方、…発動します"); a visit and a summit of one
    sentence are one meeting."""
    out: list[Event] = []
    seen: dict[tuple[object, ...], int] = {}  # (kind, type, ...) -> the sentence of the first such event
    undated: dict[str, list[Event]] = {}
    for ev in events:
        same_sentence_ok = ev.type in ("meeting", "agreement")
        keys: list[tuple[object, ...]] = []
        if ev.date:
            keys.append(("dated", ev.type, ev.date, frozenset(ev.participants)))
        if ev.amount:
            keys.append(("figure", ev.type, ev.amount.value, ev.amount.currency))
        twin = any(key in seen and (seen[key] != ev.evidence_start or same_sentence_ok) for key in keys)
        if not twin and not ev.date and not ev.amount and ev.participants:
            twin = any(
                not o.date
                and (o.evidence_start != ev.evidence_start or same_sentence_ok)
                and set(ev.participants) <= set(o.participants)
                for o in undated.get(ev.type, [])[-RECENT_EVENTS:]
            )
        if twin:
            continue
        out.append(ev)
        for key in keys:
            seen.setdefault(key, ev.evidence_start)
        if not ev.date:
            undated.setdefault(ev.type, []).append(ev)
    return out


# --- the item --------------------------------------------------------------------------------------------------


def extract(title: str, text: str, published: dt.date | None) -> JaFacts:
    """Facts of one Japanese item.

    Args:
        title: the headline; its names, quotes and amounts count too (with negative offsets, see the module).
        text: the item text (an NHK summary or a whole article); spans index it.
        published: the publication date; "20日", "あす", "来週" resolve against it.

    Returns:
        The item's entities, amounts, events and quotes.
    """
    masked = mask_markup(text)
    digits = masked.translate(_FULLWIDTH)
    sentences = split_sentences(digits, headings=False)
    analysis = _entities(digits, sentences, published, title)
    amounts = [Amount(a.value, a.currency, text[a.start : a.end], a.start, a.end) for a in find_amounts(digits)]
    percents = _percents(digits)
    quotes = _quotes(digits, text, sentences, analysis, published)
    quoted = bytearray(len(digits) + 1)  # one spare byte: a trigger at the very end still indexes it
    for a, b in _brackets(digits):
        quoted[a:b] = b"\x01" * (b - a)
    events = _events(digits, text, sentences, analysis, amounts, percents, quoted, published)
    facts = JaFacts(
        [JaEntity(m.name, m.type, m.start, m.end, text[m.start : m.end]) for m in analysis.mentions],
        amounts,
        events,
        quotes,
    )
    if title.strip():
        _add_title(facts, title, published, digits, analysis)
    logger.debug("ja facts: %d entities, %d events, %d quotes", len(facts.entities), len(facts.events), len(facts.quotes))
    return facts


def _add_title(facts: JaFacts, title: str, published: dt.date | None, masked_text: str, analysis: EntityAnalysis) -> None:
    """Names, amounts and quotes of the headline, with negative offsets; a quote the text repeats stays once."""
    shift = len(title)
    t_masked = mask_markup(title).translate(_FULLWIDTH)
    t_sentences = split_sentences(t_masked, headings=False)
    t_analysis = _entities(t_masked, t_sentences, published, "")
    quoted = _brackets(t_masked)
    for m in t_analysis.mentions:
        if any(a <= m.start and m.end <= b for a, b in quoted) and m.type != "GPE":
            continue
        facts.entities.append(JaEntity(m.name, m.type, m.start - shift, m.end - shift, title[m.start : m.end]))
    known = {(a.value, a.currency) for a in facts.amounts}
    for a in find_amounts(t_masked):
        if (a.value, a.currency) not in known:
            facts.amounts.append(replace(a, text=title[a.start : a.end], start=a.start - shift, end=a.end - shift))
            known.add((a.value, a.currency))
    seen = {q.text for q in facts.quotes}
    for q in _title_quotes(title, t_analysis, analysis, masked_text):
        if q.text not in seen and not any(q.text in s for s in seen):
            facts.quotes.append(q)
