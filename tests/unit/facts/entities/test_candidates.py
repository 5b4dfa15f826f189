"""Tests for pipeline.facts.entities.candidates: which capitalised runs go to the statistical NER."""

from __future__ import annotations

import re

from pipeline.facts.entities.candidates import candidate_runs, copy_to_repeats, needs_ner, unique_runs
from pipeline.facts.entities.mentions import Tok, coverage, tokens


def runs_of(
    text: str, gazetteer_spans: tuple[tuple[int, int], ...] = (), lower_words: set[str] | None = None
) -> tuple[list[Tok], list[tuple[int, int]]]:
    """Tokens and candidate runs of ``text``, sentences starting after ". " and the lower-case words its own."""
    toks = tokens(text)
    starts = {0} | {i + 2 for i, c in enumerate(text) if c == "." and text[i + 1 : i + 2] == " "}
    lower = {w for w in re.findall(r"\b[a-z][a-z-]+\b", text)} if lower_words is None else lower_words
    found = candidate_runs(toks, text, coverage(len(text), list(gazetteer_spans)), starts, lower)
    return toks, found


def surfaces(text: str, toks: list[Tok], runs: list[tuple[int, int]]) -> list[str]:
    """The text of each run."""
    return [text[toks[a].start : toks[b - 1].end] for a, b in runs]


def test_capitalised_runs_join_across_of_and_and_and_drop_a_sentence_opener() -> None:
    text = "Aid from Bank of Kessel reached Smith and Jones in time. The Kessel Mining Corp. signed the aid deal."
    toks, runs = runs_of(text)
    assert surfaces(text, toks, runs) == ["Bank of Kessel", "Smith and Jones", "Kessel Mining Corp."]


def test_a_run_stops_at_a_sentence_start_and_at_a_gazetteer_mention() -> None:
    text = "Aid went to Kessel. Fredville Port reopened near Lake Ora on aid money."
    fredville = (text.index("Fredville"), text.index("Fredville") + len("Fredville"))
    toks, runs = runs_of(text, (fredville,))
    assert surfaces(text, toks, runs) == ["Kessel.", "Port", "Lake Ora"]


def test_a_lone_common_word_opening_a_sentence_is_not_a_candidate() -> None:
    text = "Meanwhile the talks went on. Kessel agreed."
    toks, runs = runs_of(text, lower_words={"meanwhile"})
    assert surfaces(text, toks, runs) == ["Kessel"]


def test_title_words_alone_are_not_candidates() -> None:
    text = "The talks with President and Minister ended."
    toks, runs = runs_of(text)
    assert surfaces(text, toks, runs) == []


def test_names_typed_by_their_head_word_and_title_case_phrases_skip_the_ner() -> None:
    text = "The Kessel Energy Council, the Memorandum of Cooperation, Jan Kowalski met."
    toks, runs = runs_of(text)
    lower = {"memorandum", "cooperation", "met"}
    asked = {
        s: needs_ner(toks, r, lower, frozenset())
        for s, r in zip(surfaces(text, toks, runs), runs, strict=True)
    }
    assert asked == {"Kessel Energy Council": False, "Memorandum of Cooperation": False, "Jan Kowalski": True}


def test_an_ignored_phrase_skips_the_ner() -> None:
    text = "He read Acme Weekly daily."
    toks, runs = runs_of(text)
    [run] = [r for r in runs if text[toks[r[0]].start :].startswith("Acme")]
    assert not needs_ner(toks, run, set(), frozenset({"Acme Weekly"}))


def test_repeats_are_asked_once_and_get_the_first_reading() -> None:
    text = "Jan Kowalski spoke. Jan Kowalski left."
    toks, runs = runs_of(text)
    first = unique_runs(text, toks, runs)
    assert surfaces(text, toks, first) == ["Jan Kowalski"]
    second = text.rindex("Jan Kowalski")
    assert copy_to_repeats(text, toks, runs, [(0, 12, "PERSON")]) == [
        (0, 12, "PERSON"),
        (second, second + 12, "PERSON"),
    ]
