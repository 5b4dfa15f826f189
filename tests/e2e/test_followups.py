"""Facts across articles and over time, end to end: two outlets report one planned meeting, which is one
fact with two mentions and an open follow-up; a later report that the meeting was held closes it.

The outlets are two loopback servers under two host names (127.0.0.1 and localhost), each with its own
feed; every stage is the real one (fetch, scrape, extract, classify, facts, load)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date
from html import escape
from pathlib import Path

import duckdb
import pytest

from pipeline import sample_site, settings
from pipeline.stages import runner

PLANNED_A = ("Trump to meet Xi in South Korea after Tokyo summit", "Tue, 28 Oct 2025 10:00:00 +0900", [
    "TOKYO — U.S. President Donald Trump will meet Chinese President Xi Jinping in Busan, South Korea, on "
    "Thursday, the White House said, after two days of talks in Tokyo with Japanese Prime Minister Sanae Takaichi.",
    "Trump and Takaichi signed a framework on rare earths and critical minerals on Tuesday, and Japan reaffirmed "
    "its pledge to invest in the United States, a centrepiece of the trade deal the two allies reached this year.",
    "The meeting with Xi is expected to focus on tariffs and on export controls on rare earth magnets, which "
    "Beijing tightened this month, alarming carmakers in Japan and the United States alike.",
])
PLANNED_B = ("Trump and Xi to hold talks on Thursday, officials say", "Tue, 28 Oct 2025 15:30:00 +0900", [
    "Donald Trump is scheduled to hold talks with Xi Jinping on Thursday in South Korea, officials said, as the "
    "U.S. president wrapped up a visit to Japan where he praised Prime Minister Sanae Takaichi as a strong ally.",
    "Washington and Tokyo agreed to cooperate on the supply of critical minerals, a deal that analysts said was "
    "aimed at reducing the dependence of both countries on processing capacity in China.",
    "Shares of Japanese rare earth recyclers rose in Tokyo after the announcement, while the yen was steady "
    "against the dollar ahead of the Bank of Japan's policy meeting.",
])
HELD = ("Trump and Xi meet in Busan a day after Japan visit", "Thu, 30 Oct 2025 18:00:00 +0900", [
    "BUSAN — Donald Trump and Xi Jinping met in Busan on Thursday, their first meeting since Trump returned to "
    "office, a day after the U.S. president left Japan and its Prime Minister Sanae Takaichi.",
    "The two leaders discussed tariffs and rare earth export controls, officials said, topics that also "
    "dominated Trump's talks in Tokyo on the U.S.-Japan alliance and critical minerals.",
    "Japanese officials said they had been briefed in advance and welcomed any easing of tensions between "
    "Washington and Beijing that would steady supply chains for Japanese manufacturers.",
])


def page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{escape(p)}</p>\n" for p in paragraphs)
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
            f"<body><article><h1>{escape(title)}</h1>\n{body}</article></body></html>")


def write_outlet(root: Path, stories: dict[str, tuple[str, str, list[str]]]) -> None:
    """A minimal news site: robots.txt, one RSS feed, one page per story."""
    (root / "articles").mkdir(parents=True, exist_ok=True)
    (root / "feeds").mkdir(exist_ok=True)
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    items = []
    for slug, (title, published, paragraphs) in stories.items():
        (root / "articles" / f"{slug}.html").write_text(page(title, paragraphs), encoding="utf-8")
        items.append(f"<item><title>{escape(title)}</title><link>/articles/{slug}.html</link>"
                     f"<guid>{slug}</guid><pubDate>{published}</pubDate>"
                     f"<description>{escape(paragraphs[0])}</description></item>")
    (root / "feeds" / "news.xml").write_text(
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Outlet</title><link>/</link>"
        f"<description>News</description>{''.join(items)}</channel></rss>", encoding="utf-8")


@pytest.fixture
def outlets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    a, b = tmp_path / "outlet-a", tmp_path / "outlet-b"
    write_outlet(a, {"trump-to-meet-xi": PLANNED_A})
    write_outlet(b, {"trump-xi-talks-thursday": PLANNED_B})
    with ExitStack() as stack:
        url_a = stack.enter_context(sample_site.serve(site_dir=a))
        url_b = stack.enter_context(sample_site.serve(site_dir=b)).replace("127.0.0.1", "localhost")
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(f"feeds:\n  - name: Outlet A\n    url: {url_a}/feeds/news.xml\n"
                         f"  - name: Outlet B\n    url: {url_b}/feeds/news.xml\n")
        monkeypatch.setenv("NEWS_FEEDS_FILE", str(feeds))
        monkeypatch.setenv("NEWS_ALLOW_HOSTS", "127.0.0.1,localhost")
        yield a, b


def query(sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.load().snapshot_path), read_only=True) as con:
        return con.execute(sql).fetchall()


MEETING = ("select fact_id, status, event_date, count_mentions from facts "
           "where event_type = 'meeting' and list_contains(participants, 'Xi Jinping')")


def test_two_outlets_make_one_fact_and_a_later_report_closes_its_followup(outlets):
    outlet_a, _ = outlets
    first = runner.run_pipeline("run-1", force=True)
    assert first["count_articles_new"] == 2

    (fact_id, status, due, mentions), = query(MEETING)
    assert (status, due, mentions) == ("planned", date(2025, 10, 30), 2)
    sources = query(f"select count(distinct a.source_domain) from fact_mentions m join articles a using (article_id) "
                    f"where m.fact_id = '{fact_id}'")
    assert sources == [(2,)]  # one fact, reported by both outlets
    assert query(f"select status, due_date from followups where fact_id = '{fact_id}'") == [
        ("open", date(2025, 10, 30))]

    write_outlet(outlet_a, {"trump-to-meet-xi": PLANNED_A, "trump-xi-meet-busan": HELD})
    # Last-Modified has one-second resolution: date the new feed later, as a real update would be.
    later = time.time() + 5
    os.utime(outlet_a / "feeds" / "news.xml", (later, later))
    second = runner.run_pipeline("run-2", force=True)
    assert second["count_articles_new"] == 1

    # the same fact, now reported as held, with the third mention
    assert query(f"{MEETING} and fact_id = '{fact_id}'") == [(fact_id, "happened", date(2025, 10, 30), 3)]
    (status, resolved_url), = query(
        "select f.status, a.canonical_url from followups f join articles a on a.article_id = f.resolved_article_id "
        f"where f.fact_id = '{fact_id}'")
    assert status == "done" and resolved_url.endswith("/articles/trump-xi-meet-busan.html")


RESTATED = ("Trump's Busan meeting with Xi was set after Tokyo talks", "Fri, 31 Oct 2025 09:00:00 +0900", [
    "TOKYO — Donald Trump had announced plans to meet Xi Jinping in Busan on October 30, the White House said, "
    "after his talks in Tokyo with Japanese Prime Minister Sanae Takaichi on rare earths and critical minerals.",
    "Japan and the United States signed a framework on critical minerals this week, and analysts in Tokyo said "
    "the supply of rare earth magnets from China would remain a concern for carmakers in both countries.",
])


def test_an_article_that_only_restates_the_plan_does_not_close_its_followup(outlets):
    outlet_a, _ = outlets
    runner.run_pipeline("run-1", force=True)
    (fact_id, *_), = query(MEETING)

    write_outlet(outlet_a, {"trump-to-meet-xi": PLANNED_A, "busan-meeting-was-set": RESTATED})
    later = time.time() + 5
    os.utime(outlet_a / "feeds" / "news.xml", (later, later))
    assert runner.run_pipeline("run-2", force=True)["count_articles_new"] == 1

    mentions = query(f"select count(*), count(*) filter (where status = 'happened') from fact_mentions "
                     f"where fact_id = '{fact_id}'")
    assert mentions == [(3, 0)]  # the restated plan is a third report of the same planned meeting
    assert query(f"select status, resolved_article_id from followups where fact_id = '{fact_id}'") == [
        ("open", None)]
