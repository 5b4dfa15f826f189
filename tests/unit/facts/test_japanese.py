"""Tests for pipeline.facts.japanese on NHK-style sentences written for these tests (none is from the gold).

They read the project gazetteer (config/entities.yaml), whose Japanese aliases link 高市 to Sanae Takaichi.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import pytest

from pipeline import staging
from pipeline.facts import document, japanese
from pipeline.stages import facts as stage_facts
from pipeline.stages import schemas

WEDNESDAY = dt.date(2025, 6, 11)  # a Wednesday


def run(text: str, title: str = "", published: dt.date | None = WEDNESDAY) -> document.DocFacts:
    return document.extract(title, text, published, "ja")


def only_event(doc: document.DocFacts, etype: str) -> document.Event:
    [event] = [e for e in doc.events if e.type == etype]
    return event


# --- events, status and date -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "etype", "status", "date"),
    [
        pytest.param(
            "高市総理大臣は10日、トランプ大統領と電話会談し、経済安全保障での連携を確認しました。",
            "meeting", "happened", "2025-06-10", id="call-held-yesterday",
        ),
        pytest.param(
            "赤沢経済再生担当大臣は来週、ワシントンを訪れ、ラトニック商務長官と閣僚協議を行う予定です。",
            "meeting", "planned", "2025-06-16", id="talks-next-week-planned",
        ),
        pytest.param(
            "茂木外務大臣はあす、訪日中のルビオ国務長官と会談します。",
            "meeting", "planned", "2025-06-12", id="tomorrow-plain-future",
        ),
        pytest.param(
            "日中首脳会談は、中国側の意向で見送られました。",
            "meeting", "cancelled", None, id="summit-called-off",
        ),
        pytest.param(
            "日米両政府は、重要鉱物の供給網の強化に向けた新たな枠組みで合意しました。",
            "agreement", "happened", None, id="framework-agreed",
        ),
        pytest.param(
            "アメリカ政府は、日本から輸入する自動車への関税を15％に引き下げる方針を示しました。",
            "trade_measure", "planned", None, id="tariff-cut-intended",
        ),
        pytest.param(
            "政府は、半導体製造装置の中国向けの輸出規制を強化する方向で検討しています。",
            "trade_measure", "proposed", None, id="export-controls-considered",
        ),
        pytest.param(
            "トヨタ自動車は、アメリカ南部の工場におよそ1兆円を投資する見込みです。",
            "investment", "expected", None, id="investment-expected",
        ),
        pytest.param(
            "日本政府は3日、アメリカへの5500億ドル規模の投資の第1弾となる事業を発表しました。",
            "investment", "announced", "2025-06-03", id="investment-announced-on-the-3rd",
        ),
    ],
)
def test_event_type_status_and_date(text: str, etype: str, status: str, date: str | None) -> None:
    event = only_event(run(text), etype)
    assert (event.status, event.date) == (status, date)
    assert event.evidence_text == text


def test_meeting_participants_are_the_two_leaders_by_their_english_names() -> None:
    event = only_event(run("高市総理大臣は10日、トランプ大統領と電話会談を行いました。"), "meeting")
    assert set(event.participants) == {"Sanae Takaichi", "Donald Trump"}


def test_headline_abbreviations_name_both_countries() -> None:
    doc = run("日米首脳会談は、日本時間のきょう未明に終わりました。")
    event = only_event(doc, "meeting")
    assert set(event.participants) == {"Japan", "United States"}
    assert (event.status, event.date) == ("happened", "2025-06-11")


def test_a_bare_day_looks_back_for_a_past_event_and_ahead_for_a_planned_one() -> None:
    published = dt.date(2025, 7, 2)
    past = only_event(run("石破総理大臣は28日、トランプ大統領と会談しました。", published=published), "meeting")
    future = only_event(run("石破総理大臣は5日、トランプ大統領と会談する予定です。", published=published), "meeting")
    assert past.date == "2025-06-28" and future.date == "2025-07-05"


def test_a_day_of_next_month() -> None:
    text = "高市総理大臣がトランプ大統領の招待に応じました。首脳会談は、来月3日にワシントンで行われる予定です。"
    event = only_event(run(text), "meeting")
    assert event.date == "2025-07-03"


def test_a_date_of_another_predicate_does_not_date_the_event() -> None:
    text = "トランプ大統領と首脳会談を行った高市総理大臣は、15日、帰国しました。"
    event = only_event(run(text), "meeting")
    assert (event.status, event.date) == ("happened", None)


def test_two_predicates_in_one_sentence_are_two_measures() -> None:
    text = "アメリカ政府は、あす鉄鋼製品への追加関税を停止する一方、新たな関税措置を発動します。"
    measures = [e for e in run(text).events if e.type == "trade_measure"]
    assert len(measures) == 2
    assert {(e.status, e.date) for e in measures} == {("planned", "2025-06-12")}


def test_a_topic_of_talks_is_not_an_event_of_its_own() -> None:
    text = "両首脳は、アメリカへの投資を含む経済協力などをめぐって意見を交わす予定です。"
    assert not [e for e in run(text).events if e.type == "investment"]


def test_a_domestic_consultation_is_not_a_meeting() -> None:
    text = "与党は、補正予算案の扱いについて、政府と協議することにしています。"
    assert not [e for e in run(text).events if e.type == "meeting"]


def test_a_request_in_the_next_clause_is_not_the_meetings_status() -> None:
    doc = run("石破総理大臣は、トランプ大統領と電話で会談し、自動車関税の見直しを求めました。")
    assert only_event(doc, "meeting").status == "happened"
    assert only_event(doc, "trade_measure").status == "proposed"


def test_announced_to_be_done() -> None:
    event = only_event(run("中国商務省は9日、重要鉱物の輸出規制を強化すると発表しました。"), "trade_measure")
    assert (event.status, event.date) == ("announced", "2025-06-09")


def test_the_meeting_told_again_is_one_meeting() -> None:
    text = "茂木外務大臣は、ルビオ国務長官と会談しました。会談のあと、茂木外務大臣は記者団の取材に応じました。"
    assert len([e for e in run(text).events if e.type == "meeting"]) == 1


def test_stopping_imports_is_a_trade_measure() -> None:
    event = only_event(run("中国政府は、日本産の水産物の輸入を停止しました。"), "trade_measure")
    assert event.status == "happened" and {"China", "Japan"} <= set(event.participants)


def test_a_plan_declared_now_is_announced_and_tariff_talks_are_no_measure() -> None:
    doc = run("ソニーは、アメリカの半導体工場におよそ2000億円を投資する計画を発表しました。")
    assert only_event(doc, "investment").status == "announced"
    doc = run("韓国政府は、アメリカとの関税交渉で合意したと発表しました。")
    assert only_event(doc, "agreement").status == "happened"
    assert not [e for e in doc.events if e.type == "trade_measure"]


def test_a_visit_and_a_summit_in_one_sentence_are_one_meeting() -> None:
    doc = run("トランプ大統領は来週、日本を訪問し、高市総理大臣と首脳会談を行う予定です。")
    event = only_event(doc, "meeting")
    assert (event.status, event.date) == ("planned", "2025-06-16")


def test_agreeing_on_something_is_an_agreement() -> None:
    event = only_event(run("日米両政府は、重要鉱物の共同備蓄を進めることで一致しました。"), "agreement")
    assert event.status == "happened" and set(event.participants) == {"Japan", "United States"}


def test_investment_carries_its_figure() -> None:
    event = only_event(run("日本政府は、アメリカへの80兆円規模の投資を表明しました。"), "investment")
    assert event.amount is not None and (event.amount.value, event.amount.currency) == (80e12, "JPY")
    assert event.status == "announced"


def test_tariff_carries_its_percent() -> None:
    event = only_event(run("トランプ大統領は、日本からの輸入品に25％の関税を課す考えを示しました。"), "trade_measure")
    assert (event.percent, event.status) == (25.0, "planned")


# --- quotes ----------------------------------------------------------------------------------------------------


def test_quote_before_a_speech_verb_gets_the_marked_subject() -> None:
    doc = run("茂木外務大臣は記者会見で「日米同盟の抑止力をさらに高めていく」と述べました。")
    [quote] = doc.quotes
    assert quote.speaker == "Toshimitsu Motegi"
    assert quote.text == "日米同盟の抑止力をさらに高めていく"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        pytest.param("赤沢大臣は「合意の着実な履行が重要だ」との考えを示しました。", "Ryosei Akazawa", id="to-no-kangae"),
        pytest.param(
            "中国外務省の報道官は会見で「日本側の対応を注視している」と話しました。",
            "Ministry of Foreign Affairs of China",
            id="spokesperson-of-a-ministry",
        ),
        pytest.param("トランプ大統領は「日本は偉大な同盟国だ」などと語りました。", "Donald Trump", id="nado-to"),
    ],
)
def test_speech_patterns(text: str, speaker: str) -> None:
    [quote] = run(text).quotes
    assert quote.speaker == speaker


def test_a_bare_role_speaks_for_the_person_named_with_it_or_the_office_holder() -> None:
    text = "ホワイトハウスのレビット報道官は会見を開きました。報道官は「交渉は順調だ」と述べました。"
    assert [q.speaker for q in run(text).quotes] == ["Karoline Leavitt"]
    doc = run("首相は記者団に対し「日米同盟は揺るがない」と述べました。", published=dt.date(2025, 11, 4))
    assert [q.speaker for q in doc.quotes] == ["Sanae Takaichi"]


def test_more_speech_patterns() -> None:
    text = "外務省は「極めて遺憾だ」と強い不快感を示しました。中国商務省は「断固として反対する」との談話を発表しました。"
    assert [q.speaker for q in run(text).quotes] == ["Ministry of Foreign Affairs of Japan", "Ministry of Commerce of China"]


def test_quote_with_an_implicit_speaker_takes_the_subject_of_the_sentence_before() -> None:
    text = "トランプ大統領は、記者団の質問に答えました。その上で「日本とは非常に良い関係にある」と強調しました。"
    [quote] = run(text).quotes
    assert quote.speaker == "Donald Trump"


def test_a_name_in_brackets_is_not_a_quote() -> None:
    assert not run("政府は「南鳥島」周辺の海底にあるレアアースの調査を進めています。").quotes


def test_a_headline_quote_is_kept_with_its_speaker_and_a_title_offset() -> None:
    title = "高市首相「供給網の強化を急ぐ」"
    doc = run("高市総理大臣は、重要鉱物の確保を急ぐ考えを示しました。", title=title)
    [quote] = doc.quotes
    assert quote.speaker == "Sanae Takaichi" and quote.text == "供給網の強化を急ぐ"
    assert quote.start < 0 and title[quote.start + len(title) : quote.end + len(title)] == quote.text


def test_a_headline_role_stands_for_the_person_the_text_names() -> None:
    title = "「関税の引き下げは近い」米報道官"
    text = "ホワイトハウスのレビット報道官は、記者会見で日本との交渉について説明しました。"
    [quote] = run(text, title=title).quotes
    assert quote.speaker == "Karoline Leavitt"


# --- entities and routing --------------------------------------------------------------------------------------


def test_japan_time_is_not_japan_and_names_after_a_middle_dot_are_found() -> None:
    doc = run("アメリカ・ホワイトハウスは日本時間の12日、声明を出しました。")
    names = {e.name for e in doc.entities}
    assert "White House" in names and "Japan" not in names


def test_a_surname_with_an_office_is_its_holder_on_the_date() -> None:
    published = dt.date(2025, 11, 4)
    doc = run("ベッセント財務長官は、片山財務大臣と会談しました。", published=published)
    assert set(only_event(doc, "meeting").participants) == {"Scott Bessent", "Satsuki Katayama"}
    other = run("ベッセント財務長官は、山田財務大臣と会談しました。", published=published)
    assert "Satsuki Katayama" not in {e.name for e in other.entities}  # not her surname: nobody is guessed


def test_prefixed_abbreviations_name_the_country() -> None:
    assert {"Japan", "United States"} <= {e.name for e in run("日米両政府は対米投資の事業を発表しました。").entities}
    assert "China" in {e.name for e in run("高市総理大臣は対中政策について説明しました。").entities}
    assert "China" not in {e.name for e in run("滞在中のトランプ大統領は会見しました。").entities}


def test_bare_government_in_japanese_copy_is_japan() -> None:
    doc = run("政府は、ホルムズ海峡の情勢を注視しています。")
    assert {"Japan", "Strait of Hormuz"} <= {e.name for e in doc.entities}


def test_language_routes_and_text_decides_without_one() -> None:
    text = "高市総理大臣は10日、トランプ大統領と会談しました。"
    assert run(text).events
    assert document.extract("", text, WEDNESDAY).events  # no language given: the kana decide
    assert japanese.is_japanese(text) and not japanese.is_japanese("Takaichi met Trump on Tuesday.")
    english = (
        "Takaichi told reporters in Tokyo on Tuesday that the talks with the American delegation had been, "
        "in her own words, 「とても有意義な会談だったと思っています」, before she left for the Diet session."
    )
    assert not japanese.is_japanese(english)


def test_the_english_statistical_model_is_not_asked_about_japanese_copy(monkeypatch) -> None:
    from pipeline.facts.entities import finder

    asked: list[object] = []
    real = finder.needs_ner

    def spy(*args, **kwargs):  # the real function, recording that it was asked (it loads spaCy's word lists)
        asked.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(finder, "needs_ner", spy)
    doc = run("ニューヨーク原油市場では、WTIの先物価格が上昇しました。", title="NY原油市場 WTI先物が上昇")
    assert "New York" in {e.name for e in doc.entities}
    assert asked == []


# --- time linear in the text (the shapes of tests/unit/facts/test_linear_time.py, in Japanese) ------------------

JA_SHAPES: dict[str, Callable[[int], str]] = {
    # one run-on sentence full of triggers: each trigger used to read the whole sentence and every mention
    "run_on_triggers": lambda n: "日米首脳会談と関税、" * (n // 10),
    # quotes without a full stop: each quote looked for its speaker among every mention of the item
    "quotes_without_full_stops": lambda n: "高市総理大臣は「はい」と述べ、" * (n // 15),
    "bare_roles": lambda n: "首相は「はい」と述べました。" * (n // 14),
    "many_sentences": lambda n: (
        "高市総理大臣は20日、トランプ大統領と首脳会談を行い、アメリカへの80兆円の投資で合意しました。"
        "トランプ大統領は「すばらしい」と述べました。"
    ) * (n // 70),
    "open_brackets": lambda n: "「" * n,
}


def _ja_seconds(text: str) -> float:
    start = time.process_time()  # this process's CPU time: a busy machine does not count
    document.extract("", text, WEDNESDAY, "ja")
    return time.process_time() - start


@pytest.mark.parametrize("shape", sorted(JA_SHAPES))
def test_japanese_facts_time_grows_linearly(shape: str) -> None:
    make = JA_SHAPES[shape]
    document.extract("", make(1000), WEDNESDAY, "ja")  # warm the gazetteer and the compiled patterns
    small = min(_ja_seconds(make(10_000)) for _ in range(3))
    big = min(_ja_seconds(make(40_000)) for _ in range(3))  # the least disturbed of three: CI machines are shared
    assert big < 8 * max(small, 0.01), f"{shape}: {small:.3f}s at 10k chars, {big:.3f}s at 40k"


# --- through the real stage ------------------------------------------------------------------------------------


def _article(aid: str, title: str, text: str) -> dict:
    when = dt.datetime(2025, 6, 11, 9, 0, tzinfo=dt.UTC)
    return {
        "article_id": aid, "url": f"http://news.test/{aid}", "original_url": None, "final_url": None,
        "source_domain": "news.test", "feed_url": None, "feed_name": None, "guid": aid, "title": title,
        "author": None, "published_at": when, "published_source": "feed", "language": "ja", "summary": None,
        "text": text, "text_source": "feed", "text_hash": None, "count_words": 1, "is_truncated": False,
        "page_status": "ok", "page_attempts": 1, "http_status": 200, "error_class": None, "raw_path": None,
        "seen_at": when,
    }


def test_a_japanese_item_through_the_facts_stage_gives_a_dated_event_and_an_attributed_quote(tmp_path) -> None:
    run_dir = tmp_path / "run-1"
    text = (
        "高市総理大臣は13日、来日するトランプ大統領と首脳会談を行う予定です。"
        "高市総理大臣は「同盟をさらに強固にしたい」と述べました。"
    )
    staging.write_rows(
        staging.stage_file(run_dir, "articles", "000"),
        [_article("j1", "日米首脳会談へ", text)],
        schemas.ARTICLES,
    )
    classified = staging.write_rows(
        staging.stage_file(run_dir, "classifications", "000"),
        [{"article_id": "j1", "topic": "us_japan", "score": 0.9, "is_relevant": True, "evidence": "[]",
          "classifier_version": "test", "classified_at": dt.datetime(2025, 6, 11, tzinfo=dt.UTC)}],
        schemas.CLASSIFICATIONS,
    )
    out = stage_facts.extract_facts(classified, staging.stage_file(run_dir, "articles", "000"))
    meeting = next(r for r in staging.read_rows(out) if r["event_type"] == "meeting")
    assert (meeting["status"], meeting["event_date"]) == ("planned", dt.date(2025, 6, 13))
    assert set(meeting["participants"]) == {"Sanae Takaichi", "Donald Trump"}
    [quote] = staging.read_rows(staging.stage_file(run_dir, "quotes", "000"))
    assert quote["speaker"] == "Sanae Takaichi" and quote["text"] == "同盟をさらに強固にしたい"
    assert quote["speaker_entity_id"] == document.entity_id("Sanae Takaichi", "PERSON")
