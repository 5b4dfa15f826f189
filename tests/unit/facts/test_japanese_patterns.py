"""Japanese patterns beyond the dev items: the classes of speech verbs, status endings and relative dates of NHK copy.

Each case is a phrasing class of the language (a speech verb, a stance noun with a verb of showing, a modality
ending, a relative day word), written here, not taken from the gold files.
"""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.facts import document

WEDNESDAY = dt.date(2025, 6, 11)


def run(text: str, published: dt.date = WEDNESDAY) -> document.DocFacts:
    return document.extract("", text, published, "ja")


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        pytest.param("林官房長官は記者会見で「引き続き緊密に連携していく」と明言しました。", "Yoshimasa Hayashi", id="meigen"),
        pytest.param("トランプ大統領は「交渉は終わった」と言明しました。", "Donald Trump", id="genmei"),
        pytest.param("トランプ大統領は「関税は必要だ」と力説しました。", "Donald Trump", id="rikisetsu"),
        pytest.param("茂木外務大臣は「率直に意見を交わした」と振り返りました。", "Toshimitsu Motegi", id="furikaeri"),
        pytest.param("トランプ大統領は「日本との関係は最高だ」と自信を見せました。", "Donald Trump", id="stance-misemashita"),
        pytest.param("茂木外務大臣は「重要な一歩だ」と抱負を語りました。", "Toshimitsu Motegi", id="stance-katarimashita"),
        pytest.param("茂木外務大臣は「安定した関係を築きたい」と意欲を示しました。", "Toshimitsu Motegi", id="stance-shimeshimashita"),
        pytest.param("茂木外務大臣は「深刻に受け止めている」と懸念を表明しました。", "Toshimitsu Motegi", id="stance-hyomei"),
        pytest.param("トランプ大統領は「すばらしい会談だった」という考えを示しました。", "Donald Trump", id="to-iu-kangae"),
        pytest.param("トランプ大統領は「近く決める」と明らかにしています。", "Donald Trump", id="akiraka-progressive"),
        pytest.param("茂木外務大臣は「極めて遺憾だ」と述べたうえで、抗議しました。", "Toshimitsu Motegi", id="nobeta-ue-de"),
        pytest.param("トランプ大統領はSNSに「日本は約束を守った」と投稿しました。", "Donald Trump", id="toko"),
        pytest.param("茂木外務大臣は「協力を確認した」と記者団に語りました。", "Toshimitsu Motegi", id="kishadan-ni"),
    ],
)
def test_speech_verb_classes_attribute_the_quote(text: str, speaker: str) -> None:
    assert [q.speaker for q in run(text).quotes] == [speaker]


@pytest.mark.parametrize(
    ("text", "etype", "status", "date"),
    [
        pytest.param("茂木外務大臣は13日、ルビオ国務長官と会談する見通しです。", "meeting", "expected", "2025-06-13",
                     id="mitooshi-expected"),
        pytest.param("高市総理大臣は来週、トランプ大統領と電話会談を行う方針です。", "meeting", "planned", "2025-06-16",
                     id="hoshin-planned-next-week"),
        pytest.param("茂木外務大臣は来週、ルビオ国務長官と会談する方向で調整しています。", "meeting", "proposed",
                     "2025-06-16", id="chosei-proposed"),
        pytest.param("トランプ大統領は、日本からの輸入品に25％の関税を課す考えです。", "trade_measure", "planned", None,
                     id="kangae-desu-planned"),
        pytest.param("政府は、アメリカへの投資を拡大する計画を検討しています。", "investment", "proposed", None,
                     id="kento-proposed"),
        pytest.param("高市総理大臣は、トランプ大統領との首脳会談に臨む構えです。", "meeting", "planned", None,
                     id="nozomu-planned"),
        pytest.param("日米両政府は、防衛費の増額で合意する見通しとなりました。", "agreement", "expected", None,
                     id="mitooshi-to-narimashita"),
        pytest.param("茂木外務大臣は、ルビオ国務長官との会談を見送りました。", "meeting", "cancelled", None,
                     id="miokuri-cancelled"),
        pytest.param("政府は、アメリカとの関税交渉で合意したことを否定しました。", "agreement", "denied", None,
                     id="hitei-denied"),
        pytest.param("茂木外務大臣はあさって、ルビオ国務長官と会談することにしています。", "meeting", "planned",
                     "2025-06-13", id="asatte"),
        pytest.param("茂木外務大臣は週明けにも、ルビオ国務長官と会談する見通しです。", "meeting", "expected", "2025-06-16",
                     id="shuake-early-next-week"),
        pytest.param("高市総理大臣は今夜、トランプ大統領と電話会談を行います。", "meeting", "planned", "2025-06-11",
                     id="konya-tonight"),
        pytest.param("高市総理大臣はけさ、トランプ大統領と電話会談しました。", "meeting", "happened", "2025-06-11",
                     id="kesa-this-morning"),
        pytest.param("高市総理大臣は昨夜、トランプ大統領と電話会談を行いました。", "meeting", "happened", "2025-06-10",
                     id="sakuya-last-night"),
        pytest.param("高市総理大臣は20日、トランプ大統領と会談し、同盟の強化を確認しました。", "meeting", "happened",
                     "2025-05-20", id="bare-day-past-looks-back"),
        pytest.param("高市総理大臣は20日、トランプ大統領と会談する予定です。", "meeting", "planned", "2025-06-20",
                     id="bare-day-planned-looks-ahead"),
        pytest.param("アメリカ政府は12日、中国への半導体の輸出規制を発動しました。", "trade_measure", "happened",
                     "2025-06-12", id="japan-time-is-a-day-ahead-of-the-utc-date"),
    ],
)
def test_status_endings_and_relative_dates(text: str, etype: str, status: str, date: str | None) -> None:
    events = [(e.type, e.status, e.date) for e in run(text).events]
    assert (etype, status, date) in events


@pytest.mark.parametrize(
    ("text", "published", "date"),
    [
        pytest.param("高市総理大臣は30日、トランプ大統領と会談しました。", dt.date(2026, 1, 2), "2025-12-30", id="day-of-last-year"),
        pytest.param("高市総理大臣は3日、トランプ大統領と会談する予定です。", dt.date(2025, 12, 29), "2026-01-03", id="day-of-next-year"),
        pytest.param("高市総理大臣は来月5日、トランプ大統領と会談する予定です。", dt.date(2025, 12, 10), "2026-01-05",
                     id="next-month-day-in-december"),
        pytest.param("高市総理大臣はあす、トランプ大統領と会談します。", dt.date(2025, 12, 31), "2026-01-01", id="tomorrow-on-new-years-eve"),
        pytest.param("高市総理大臣はきのう、トランプ大統領と会談しました。", dt.date(2026, 1, 1), "2025-12-31", id="yesterday-on-new-years-day"),
        pytest.param("高市総理大臣は12月28日、トランプ大統領と会談しました。", dt.date(2026, 1, 5), "2025-12-28", id="month-day-last-year"),
    ],
)
def test_japanese_dates_near_year_ends_keep_the_right_year(text: str, published: dt.date, date: str) -> None:
    [event] = [e for e in run(text, published).events if e.type == "meeting"]
    assert event.date == date


@pytest.mark.parametrize(
    ("text", "etype", "status", "date"),
    [
        pytest.param("高市総理大臣は15日、カナダで開かれるG7サミットに出席する予定です。", "meeting", "planned",
                     "2025-06-15", id="summit-katakana"),
        pytest.param("茂木外務大臣は10日、ルビオ国務長官と面会しました。", "meeting", "happened", "2025-06-10",
                     id="menkai"),
        pytest.param("日本とアメリカは、レアアースの安定供給に向けた取り決めを結びました。", "agreement", "happened", None,
                     id="torikime"),
        pytest.param("政府は、来年度の防衛予算を過去最大の9兆円とする方針です。", "defense", "planned", None,
                     id="defense-budget"),
        pytest.param("日米両政府は9日、重要鉱物の供給に関する協定に署名しました。", "agreement", "happened", "2025-06-09",
                     id="kyotei-signed"),
        pytest.param("中国政府は、レアアースの輸出規制を撤回しました。", "trade_measure", "cancelled", None,
                     id="export-control-withdrawn"),
        pytest.param("日本製鉄は、USスチールに2兆円を投資すると表明しました。", "investment", "announced", None,
                     id="investment-declared"),
    ],
)
def test_trigger_words_of_each_type(text: str, etype: str, status: str, date: str | None) -> None:
    events = [(e.type, e.status, e.date) for e in run(text).events]
    assert (etype, status, date) in events
