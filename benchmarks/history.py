"""History independence: does a run's cost grow with new work, or with the size of the warehouse?

Runs the real pipeline (fetch over loopback, scrape, extract, classify, facts, load, publish) on
N new articles twice, side by side in one process: once against an empty warehouse, once against
one that already holds H articles (generated with DuckDB itself, not row by row). Prints the
per-stage times and the ratio; issue 3's target is at most 1.5x for N=1,000 and H=1,000,000 (issue
18's: 1.3x). The stored texts are real-size (3-5 KB of real paragraphs each), so the warehouse file
and the snapshot publish have their real size.

    uv run python benchmarks/history.py                      # N=200, H=100,000: a couple of minutes
    uv run python benchmarks/history.py --new 1000 --history 1000000 --out results/history.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
from html import escape
from pathlib import Path

import duckdb

from pipeline import sample_site, settings, staging
from pipeline.ingest import feeds
from pipeline.stages import load
from pipeline.stages.feeds import fetch_feeds
from pipeline.warehouse import db, migrate

PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)


def build_site(root: Path, n: int, seed: int = 7) -> None:
    """N distinct article pages built from the sample site's real page templates, and one RSS feed."""
    rng = random.Random(seed)
    templates = sorted((sample_site.SITE_DIR / "articles").glob("*.html"))
    paragraphs = [p for t in templates for p in PARAGRAPH.findall(t.read_text(encoding="utf-8")) if len(p) > 80]
    (root / "articles").mkdir(parents=True)
    (root / "feeds").mkdir()
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    items = []
    for i in range(n):
        template = templates[i % len(templates)].read_text(encoding="utf-8")
        body = rng.sample(paragraphs, k=min(8, len(paragraphs)))
        body.append(f"Benchmark story {i} adds its own closing line, number {rng.randrange(10**9)}.")
        first = template.find("<p>")
        last = template.rfind("</p>") + len("</p>")
        page = template[:first] + "".join(f"<p>{p}</p>\n" for p in body) + template[last:]
        # Each story declares itself canonical, as distinct real articles do.
        page = re.sub(r'(rel="canonical"\s+href=")[^"]*"', rf'\1/articles/bench-{i}.html"', page)
        (root / "articles" / f"bench-{i}.html").write_text(page, encoding="utf-8")
        items.append(f"<item><title>Benchmark story {i}</title><link>/articles/bench-{i}.html</link>"
                     f"<guid>bench-{i}</guid><pubDate>Tue, 28 Oct 2025 09:00:00 GMT</pubDate>"
                     f"<description>{escape(body[0][:200])}</description></item>")
    (root / "feeds" / "bench.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>bench</title>'
        + "".join(items) + "</channel></rss>", encoding="utf-8")


def history_paragraphs() -> list[str]:
    """Real body paragraphs to build stored texts from: the extraction benchmark's, else the sample site's."""
    from benchmarks import generator

    real = generator.real_parts()
    source = real.paragraphs if real is not None else generator.page_parts()[1]
    plain = [" ".join(re.sub(r"<[^>]+>", " ", p).split()) for p in source]
    return [p for p in plain if 200 <= len(p) <= 1200]


def build_history(path: Path, articles: int) -> float:
    """A warehouse that already holds ``articles`` articles, with their cluster keys and verdicts.

    Each stored text is real-size (3-5 KB, as an extracted article): ten real paragraphs drawn by
    the row number, then a closing sentence of its own, so no two stored texts are equal.
    """
    started = time.perf_counter()
    con = duckdb.connect(str(path))
    migrate.apply(con)
    con.execute("create temporary table pool as select ?::varchar[] as ps", [history_paragraphs()])
    con.execute("""
        create temporary table texts as
        select i, array_to_string(list_transform(range(10), lambda j: ps[1 + (hash(i * 10 + j) % len(ps))::bigint]),
                                  chr(10) || chr(10)) || chr(10) || chr(10) || 'Stored story ' || i
                  || ' closes with a line of its own.' as text
        from range(?) t(i), pool
    """, [articles])
    con.execute("""
        insert into articles (article_id, canonical_url, source_domain, title, published_at, text, text_hash,
                              count_words, is_truncated, page_status, page_attempts, story_cluster_id,
                              first_seen_at, first_run_id, last_run_id, updated_at, text_source)
        select printf('h%015d', i), 'https://history.example/a/' || i, 'history.example', 'old story ' || i,
               timestamp '2020-01-01' + to_minutes(i), text, md5(text), 600, false, 'ok', 1,
               printf('h%015d', i), now(), 'history', 'history', now(), 'page'
        from texts
    """)
    con.execute("drop table texts")
    con.execute("""
        insert into article_keys
        select printf('h%015d', i), printf('h%015d', i),
               list_sort(['text:' || md5(i::varchar), 'url:https://history.example/a/' || i]
                   || list_transform(range(8), lambda b: b || ':' || substr(md5(i::varchar || '-' || b), 1, 16)))
        from range(?) t(i)
    """, [articles])
    con.execute("""
        insert into classifications
        select printf('h%015d', i), topic, 0.1, false, '[]', 'history', now()
        from range(?) t(i), (values ('us_japan'), ('rare_earths')) v(topic)
    """, [articles])
    con.execute("checkpoint")
    con.close()
    db.publish_snapshot(path, path.with_name("newswatch.snapshot.duckdb"))
    return time.perf_counter() - started


def timed_run(data: Path, base: str) -> dict[str, float]:
    """One pipeline run with per-stage wall times."""
    from pipeline.stages import classify as stage_classify
    from pipeline.stages import extract, plan_pages, scrape
    from pipeline.stages import facts as stage_facts

    os.environ["NEWS_DATA_DIR"] = str(data)
    run = staging.run_dir("bench")
    times: dict[str, float] = {}

    def stage(name, fn, *args, **kwargs):
        started = time.perf_counter()
        result = fn(*args, **kwargs)
        times[name] = time.perf_counter() - started
        return result

    source = feeds.FeedSource("bench", f"{base}/feeds/bench.xml")
    snapshot = settings.load().snapshot_path
    items = stage("fetch_feeds", fetch_feeds, run, snapshot=snapshot, sources=[source], force=True)
    plans = stage("plan_pages", plan_pages.plan_pages, [items], snapshot=snapshot)
    pages = stage("scrape_articles", scrape.scrape_articles, plans[0])
    articles = stage("extract_articles", extract.extract_articles, pages)
    classified = stage("classify_articles", stage_classify.classify_articles, articles)
    stage("extract_facts", stage_facts.extract_facts, classified, articles)
    row = stage("load_warehouse", load.load_warehouse, run, run_id="bench", publish=False)
    stage("publish_snapshot", db.publish_snapshot)
    times["total"] = sum(times.values())
    times["articles_new"] = row["count_articles_new"]
    return times


def measure(new: int, history: int) -> dict:
    """Both runs side by side in this process; returns the report (per-stage times and the ratio)."""
    os.environ.update(NEWS_ALLOW_HOSTS="127.0.0.1", NEWS_MIN_INTERVAL_S="0", NEWS_SHARDS="1")
    root = Path(tempfile.mkdtemp(prefix="newswatch-bench-"))
    try:
        build_site(root / "site", new)
        empty, full = root / "empty", root / "full"
        full.mkdir()
        print(f"generating {history:,} stored articles ...", file=sys.stderr)
        history_s = build_history(full / "newswatch.duckdb", history)
        from pipeline.classify import config
        from pipeline.facts import document

        document.extract("warm", "Donald Trump met Sanae Takaichi in Tokyo.", None)  # load spaCy outside the timing
        document.warm_up()
        config.load_topics(settings.load().topics_file)
        with sample_site.serve(site_dir=root / "site") as base:
            timed_run(root / "warm-up", base)  # imports, spaCy, trafilatura caches: paid before timing
            results = {"empty": timed_run(empty, base), "history": timed_run(full, base)}
        ratio = results["history"]["total"] / results["empty"]["total"]
        return {"new_items": new, "history_articles": history, "history_build_s": round(history_s, 1),
                "runs": results, "ratio": round(ratio, 3), "target": 1.5}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--new", type=int, default=200)
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("pipeline.stages.load").setLevel(logging.INFO)
    report = measure(args.new, args.history)
    results, ratio = report["runs"], report["ratio"]
    print(f"{'stage':<20}{'empty (s)':>12}{'history (s)':>14}")
    for name in results["empty"]:
        print(f"{name:<20}{results['empty'][name]:>12.2f}{results['history'][name]:>14.2f}")
    print(f"ratio history/empty: {ratio:.2f} (target <= 1.5) with {args.new:,} new items "
          f"against {args.history:,} stored articles")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
