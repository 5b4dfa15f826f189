"""Tests for pipeline.facts.quotes: quoted text and who said it, against the made-up gazetteer."""

from __future__ import annotations

import pytest

from pipeline.facts.quotes import find_quote_spans, find_quotes


def quotes(analyse, text: str) -> list[tuple[str | None, str]]:
    """(speaker, quoted text) of each quote."""
    doc = analyse(text)
    return [(q.speaker, q.text) for q in find_quotes(doc.masked, doc.sentences, doc.analysis)]


@pytest.mark.parametrize(
    ("text", "speaker", "quoted"),
    [
        pytest.param(
            '"We will build a plant," Tom Baker said.', "Tom Baker", "We will build a plant,", id="name-said"
        ),
        pytest.param(
            '"We will build a plant," said Maria Lopez.',
            "Maria Lopez",
            "We will build a plant,",
            id="said-name",
        ),
        pytest.param(
            'Maria Lopez said the goal was "a fair deal".',
            "Maria Lopez",
            "a fair deal",
            id="before-the-quote",
        ),
        pytest.param('Tom Baker: "Trade is up."', "Tom Baker", "Trade is up.", id="label"),
        pytest.param(
            'Tom Baker met Maria Lopez. "Prices are falling," she said.',
            "Maria Lopez",
            "Prices are falling,",
            id="she-is-the-last-named-woman",
        ),
    ],
)
def test_a_quote_is_attributed_to_its_speaker(analyse, text: str, speaker: str, quoted: str) -> None:
    assert quotes(analyse, text) == [(speaker, quoted)]


def test_a_speaker_going_on_keeps_the_next_quote(analyse) -> None:
    assert quotes(analyse, '"Trade is up," Tom Baker said. "Jobs follow."') == [
        ("Tom Baker", "Trade is up,"),
        ("Tom Baker", "Jobs follow."),
    ]


def test_an_unnamed_spokesman_is_nobody_we_can_name(analyse) -> None:
    assert quotes(analyse, 'Tom Baker left. "It was fine," a ministry spokesman said.') == [
        (None, "It was fine,")
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('The report, titled "A New Dawn", was released by Tom Baker.', id="title"),
        pytest.param('The two sides (the "Parties") agreed, Tom Baker said.', id="defined-term"),
    ],
)
def test_titles_and_defined_terms_are_not_quotes(analyse, text: str) -> None:
    assert quotes(analyse, text) == []


def test_quote_spans_are_the_text_inside_the_marks() -> None:
    text = 'He said “yes” and then "no".'
    assert [text[a:b] for a, b in find_quote_spans(text)] == ["yes", "no"]


def test_a_quote_left_open_at_a_paragraph_end_closes_there_when_the_next_paragraph_quotes() -> None:
    text = 'He said: "first part\n\n"second part," and left.'
    assert [text[a:b] for a, b in find_quote_spans(text)] == ["first part", "second part,"]


def test_quoted_numbers_alone_are_not_quotes() -> None:
    assert find_quote_spans('He said "123".') == []


# -- speakers beyond "X said": roles, organisations and pronouns resolve over the document (facts/coref.py) --


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Prime Minister Nora Kessler of Sylvania held talks with Tom Baker in Fredville. "
            "“We have a deal on steel,” the Prime Minister said afterwards.",
            [("Nora Kessler", "We have a deal on steel,")],
            id="the-role-is-the-last-person-given-it",
        ),
        pytest.param(
            "Nora Kessler, the prime minister of Sylvania, hosted the summit. "
            "“Our doors are open,” the prime minister told reporters.",
            [("Nora Kessler", "Our doors are open,")],
            id="a-role-in-apposition",
        ),
        pytest.param(
            "“We are ready to sign,” the prime minister told reporters. "
            "Prime Minister Nora Kessler spoke after talks with Tom Baker.",
            [("Nora Kessler", "We are ready to sign,")],
            id="the-role-before-the-name-is-the-documents-holder",
        ),
        pytest.param(
            "Vice President Alan Park of Sylvania met Nora Kessler. “The talks went well,” the President said.",
            [(None, "The talks went well,")],
            id="the-president-is-not-the-vice-president",
        ),
        pytest.param(
            "The Ministry of Foreign Affairs of Sylvania issued a statement on Friday. "
            "“The talks will continue next month,” the ministry said.",
            [("Ministry of Foreign Affairs of Sylvania", "The talks will continue next month,")],
            id="the-ministry",
        ),
        pytest.param(
            "Lena Ortiz, a spokesperson for the Ministry of Foreign Affairs of Sylvania, briefed reporters on "
            "Friday. “Talks go on,” the spokesperson said.",
            [("Lena Ortiz", "Talks go on,")],
            id="the-spokesperson",
        ),
        pytest.param(
            "One senior Sylvania Foreign Ministry official said exports rose. Prices fell too, the official "
            "said. “We expect more,” he said.",
            [("Ministry of Foreign Affairs of Sylvania", "We expect more,")],
            id="he-is-the-unnamed-official-of-the-ministry",
        ),
        pytest.param(
            "“Trade is up,” Tom Baker said. “We see no reason to change our policy,” one senior official said.",
            [("Tom Baker", "Trade is up,"), (None, "We see no reason to change our policy,")],
            id="an-unnamed-official-is-not-the-previous-speaker",
        ),
        pytest.param(
            "President Alan Park of Sylvania met Nora Kessler on Monday. “We are friends,” he told reporters.",
            [("Alan Park", "We are friends,")],
            id="he-is-the-subject-not-the-last-name",
        ),
        pytest.param(
            "Alan Park met Mrs. Nora Kessler on Monday. Park toured the steel plant. "
            "“It was a good visit,” she said.",
            [("Nora Kessler", "It was a good visit,")],
            id="she-is-the-person-the-text-calls-mrs",
        ),
        pytest.param(
            'The Sylvania Herald quoted Tom Baker as telling reporters, "We will buy more steel."',
            [("Tom Baker", "We will buy more steel.")],
            id="quoted-as-telling",
        ),
        pytest.param(
            '"We will respond in kind," Tom Baker, the president of Freedonia, said on Friday.',
            [("Tom Baker", "We will respond in kind,")],
            id="name-apposition-then-verb",
        ),
        pytest.param(
            "Tom Baker spoke in Fredville on Monday. He said the talks would resume and that the deal was "
            "“close to done.”",
            [("Tom Baker", "close to done.")],
            id="he-said-before-the-quote",
        ),
        pytest.param(
            "“We choose to build the bridge.” These were the words that Tom Baker spoke in Fredville.",
            [("Tom Baker", "We choose to build the bridge.")],
            id="these-were-the-words-of",
        ),
    ],
)
def test_roles_organisations_and_pronouns_resolve_to_the_documents_entity(analyse, text, expected) -> None:
    assert quotes(analyse, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Nora Kessler said: “My late father always told me, ‘Never give up,’ and I never did.”",
            [
                ("Nora Kessler", "My late father always told me, ‘Never give up,’ and I never did."),
                (None, "Never give up,"),
            ],
            id="single-marks-inside",
        ),
        pytest.param(
            "“Tom Baker told us “we are ready to sign” and then he left,” Nora Kessler said.",
            [
                ("Nora Kessler", "Tom Baker told us “we are ready to sign” and then he left,"),
                ("Tom Baker", "we are ready to sign"),
            ],
            id="double-marks-inside",
        ),
    ],
)
def test_a_quote_inside_a_quote_keeps_its_own_speaker(analyse, text, expected) -> None:
    assert quotes(analyse, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("For the purposes of this order: (a) “Mineral” means any ore.", id="defined-term-means"),
        pytest.param("(b) The term “processed ore” refers to ore that was refined.", id="the-term"),
        pytest.param(
            "The Secretary may issue rules for determining what are “products of Sylvania” for purposes of "
            "this section.",
            id="clause-of-an-order",
        ),
        pytest.param("Nora Kessler praised the “historic” deal.", id="scare-quote-before-a-noun"),
        pytest.param("The crowd sang the song from “Blue Skies” at the end.", id="short-and-unattributed"),
        pytest.param("Its motto translates to “We Shall Never Forget This.”", id="a-translation"),
        pytest.param("The army met what was later termed the “Iron Storm” on the island.", id="termed-the"),
        pytest.param("The report called the policy a “failure” and urged change.", id="a-tag-by-nobody"),
    ],
)
def test_a_quote_needs_a_speech_verb_or_an_attribution(analyse, text) -> None:
    assert quotes(analyse, text) == []


def test_a_quoted_tag_is_not_the_speaker_going_on(analyse) -> None:
    text = "“Trade is up,” Tom Baker said. Shops in Fredville call the season a “boom” now."
    assert quotes(analyse, text) == [("Tom Baker", "Trade is up,")]


def test_short_quotes_with_a_speech_verb_are_kept(analyse) -> None:
    text = "Tom Baker called her a “great leader.” Maria Lopez described the talks as “unprecedented.”"
    assert quotes(analyse, text) == [("Tom Baker", "great leader."), ("Maria Lopez", "unprecedented.")]


def test_someone_addressed_before_a_colon_is_not_the_speaker(analyse) -> None:
    text = "Tom Baker, Maria Lopez, dear guests, let me propose a toast with this word: “friendship.”"
    assert quotes(analyse, text) == [(None, "friendship.")]


def test_the_same_words_by_the_same_speaker_are_one_quote(analyse) -> None:
    text = "“Trade is up,” Tom Baker said on Monday. On Tuesday, Tom Baker said it again: “Trade is up.”"
    assert quotes(analyse, text) == [("Tom Baker", "Trade is up,")]


def test_a_quote_that_lost_its_closing_mark_ends_with_its_sentence(analyse) -> None:
    text = (
        "Tom Baker urged \"bold' steps on trade when he visits Sylvania next month.\n"
        '    Maria Lopez told reporters, "I accept the plan fully."'
    )
    assert quotes(analyse, text) == [
        ("Tom Baker", "bold' steps on trade when he visits Sylvania next month."),
        ("Maria Lopez", "I accept the plan fully."),
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "Tom Baker said the deal gives Sylvania a “Golden Share” in the mine.", id="named-share"
        ),
        pytest.param("Maria Lopez said this “framework” would guide the talks.", id="one-word-after-this"),
        pytest.param("Tom Baker told reporters the so-called “Blue Line” was ready.", id="so-called"),
    ],
)
def test_a_bare_defined_term_in_quotation_marks_is_not_a_quote(analyse, text) -> None:
    assert quotes(analyse, text) == []


def test_a_term_somebody_called_something_or_a_phrase_stays_a_quote(analyse) -> None:
    assert quotes(analyse, "Tom Baker called her a “hero” after the rescue.") == [("Tom Baker", "hero")]
    assert quotes(analyse, "Maria Lopez said the result was a “total success.”") == [
        ("Maria Lopez", "total success.")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "PRESIDENT BAKER: Welcome, Maria Lopez.\n\nMS. LOPEZ: Thank you.\n\n"
            "Dear friends, I would like to propose a toast with this word: “friendship.”",
            [("Maria Lopez", "friendship.")],
            id="first-person-line-in-a-turn",
        ),
        pytest.param(
            "PRESIDENT BAKER: Welcome, Maria Lopez.\n\nLOPEZ: And “friendship.” Cheers.",
            [("Maria Lopez", "friendship.")],
            id="a-quote-opening-the-turn",
        ),
        pytest.param(
            "BAKER: Welcome, Maria Lopez.\n\nLOPEZ: Let me end with the line from “Blue Skies”, which we all know: "
            "“Tomorrow we sail on the open sea.”",
            [(None, "Tomorrow we sail on the open sea.")],
            id="a-line-credited-to-another-is-not-the-turns",
        ),
        pytest.param(
            "PRESIDENT BAKER: Welcome, Maria Lopez.\n\nLOPEZ: I met children in Fredville, and they said, "
            "“We are all the same children.”",
            [(None, "We are all the same children.")],
            id="they-said-in-a-turn-is-theirs",
        ),
        pytest.param(
            "Q: Will you sign, Tom Baker?\n\nBAKER: Yes. I told them, “We will sign the deal on Monday.”",
            [("Tom Baker", "We will sign the deal on Monday.")],
            id="i-told-them",
        ),
    ],
)
def test_a_transcript_turn_label_gives_the_speaker_of_first_person_lines(analyse, text, expected) -> None:
    assert quotes(analyse, text) == expected


def test_one_capitalised_label_is_not_a_transcript(analyse) -> None:
    text = "Tom Baker met Maria Lopez.\n\nNOTE: I would like to add this word: “friendship.”"
    assert quotes(analyse, text) == [(None, "friendship.")]
