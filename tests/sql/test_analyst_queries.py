"""Every SQL query in docs/ANALYSTS.md runs on a warehouse built by the real pipeline over the sample site.

The key questions must return the seed story's rows (the $550 billion package, the Xi meeting due 2025-10-29), and
the guide must describe every table and view of that warehouse, column by column.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline import sample_site, settings
from pipeline.stages import runner

DOC = Path(__file__).resolve().parents[2] / "docs" / "ANALYSTS.md"
_BLOCK = re.compile(r"^(#{2,3} [^\n]+)$|^```sql\n(.*?)^```", re.MULTILINE | re.DOTALL)
_COLUMN_ROW = re.compile(r"^\| `(\w+)` \|", re.MULTILINE)


def documented_queries() -> list[tuple[str, str]]:
    """(heading, sql) for each ```sql block of the guide, in order."""
    found, heading = [], ""
    for match in _BLOCK.finditer(DOC.read_text()):
        if match.group(1):
            heading = match.group(1).lstrip("#").strip()
        else:
            found.append((heading, match.group(2)))
    return found


def documented_sections() -> dict[str, str]:
    """The guide's ``### name`` sections: name -> body."""
    parts = re.split(r"^### ", DOC.read_text(), flags=re.MULTILINE)[1:]
    return {part.split("\n", 1)[0].strip(): part.split("\n", 1)[1] for part in parts}


def build_demo_warehouse(data_dir: Path, site_url: str) -> Path:
    """Run the real pipeline once over the sample site into ``data_dir``; return the snapshot's path.

    Module-scoped fixtures call this: the autouse ``isolated_settings`` fixture is per test, so the
    environment is set here for the duration of the run only.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEWS_DATA_DIR", str(data_dir))
        for name in ("NEWS_DUCKDB_PATH", "NEWS_SNAPSHOT_PATH", "NEWS_SHARDS"):
            mp.delenv(name, raising=False)
        mp.setenv("NEWS_SAMPLE_SITE_URL", site_url)
        mp.setenv("NEWS_FEEDS_FILE", str(sample_site.FEEDS_FILE))
        mp.setenv("NEWS_ALLOW_HOSTS", "127.0.0.1")
        mp.setenv("NEWS_MIN_INTERVAL_S", "0")
        row = runner.run_pipeline("analyst-demo", force=True)
        assert row["status"] == "success"
        return settings.load().snapshot_path


@pytest.fixture(scope="module")
def demo_snapshot(site_url, tmp_path_factory) -> Path:
    return build_demo_warehouse(tmp_path_factory.mktemp("analyst-demo") / "data", site_url)


def _run(snapshot: Path, sql: str) -> tuple[list[str], list[tuple]]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        cursor = con.execute(sql)
        return [d[0] for d in cursor.description], cursor.fetchall()


QUERIES = documented_queries()


def test_the_guide_has_a_dozen_worked_questions():
    headings = [heading for heading, _ in QUERIES]
    assert len(set(headings)) == len(headings)  # one query per heading, so each test id names its question
    assert len(QUERIES) >= 13  # the intro's query, then at least a dozen questions


@pytest.mark.parametrize(("heading", "sql"), [pytest.param(h, s, id=h) for h, s in QUERIES])
def test_documented_query_runs(demo_snapshot, heading, sql):
    columns, _ = _run(demo_snapshot, sql)
    assert columns


def _query_under(heading: str) -> str:
    (sql,) = [s for h, s in QUERIES if h == heading]
    return sql


def _rows(snapshot: Path, heading: str) -> list[dict]:
    columns, rows = _run(snapshot, _query_under(heading))
    return [dict(zip(columns, row, strict=True)) for row in rows]


def test_open_commitments_by_japan_include_the_550_billion_package(demo_snapshot):
    rows = _rows(demo_snapshot, "Every open commitment by Japan with an amount")
    assert any(r["amount_value"] == 550e9 and r["amount_currency"] == "USD" and r["amount_usd"] == 550e9
               and r["status"] == "expected" and r["event_type"] == "investment" for r in rows), rows
    assert all("Japan" in r["participants"] for r in rows)


def test_japan_investment_total_counts_each_distinct_pledge_of_the_sample_site_once(demo_snapshot):
    # The sample site's Japanese investment pledges are two: the $550 billion package (three facts: expected,
    # announced, "agreed to invest") and the $8 billion purchase of U.S. goods. The first $36 billion tranche is
    # part of the $550 billion, and the $50 billion of a forum's projects the leaders welcomed is not Japan's.
    rows = _rows(demo_snapshot, "Japan's investment pledges, each counted once")
    assert sorted(r["usd_billions"] for r in rows) == [8.0, 550.0], rows
    with duckdb.connect(str(demo_snapshot), read_only=True) as con:
        package = con.execute("select statuses, count_facts, count_open_followups from fct_commitments "
                              "where amount_usd = 550e9 and list_contains(parties, 'Japan')").fetchall()
        tranche = con.execute("select amount_usd from fct_facts where amount_is_part").fetchall()
    assert package == [(["announced", "expected"], 3, 1)], package
    assert (36e9,) in tranche


def test_the_xi_meeting_is_followed_up_for_2025_10_29(demo_snapshot):
    rows = _rows(demo_snapshot, "When is Trump meeting Xi, and is it still open")
    assert any(str(r["due_date"]) == "2025-10-29" and r["status"] == "open" for r in rows), rows
    # Today is after 2025-10-29, so the open meeting counts as overdue.
    overdue = _rows(demo_snapshot, "What is overdue or due this week")
    assert any(str(r["due_date"]) == "2025-10-29" and r["bucket"] == "overdue" and r["days_until_due"] < 0
               for r in overdue), overdue


def test_open_followups_take_due_dates_from_relative_deadlines(demo_snapshot):
    # "within 180 days of the date of this Framework" (signed 2025-10-28) and "within 30 days of the date of
    # this order" resolve against their documents; the Xi meeting keeps its own date.
    with duckdb.connect(str(demo_snapshot), read_only=True) as con:
        rows = con.execute("select f.due_date, x.evidence_text from followups as f "
                           "join fct_facts as x using (fact_id) where f.status = 'open'").fetchall()
    dated = {str(due): text for due, text in rows if due is not None}
    assert "2026-04-26" in dated and "within 180 days" in dated["2026-04-26"], dated
    assert any("Within 30 days of the date of this order" in text for text in dated.values()), dated
    assert "2025-10-29" in dated
    assert len(dated) >= 4, dated


def test_rare_earth_weeks_count_the_summit_story_once(demo_snapshot):
    weeks = dict((str(r["week"]), r["count_stories"]) for r in _rows(demo_snapshot, "Rare-earth stories per week since 2025"))
    assert weeks["2025-10-27"] >= 1
    assert all(week >= "2024-12-30" for week in weeks)


def test_quotes_about_rare_earths_name_their_speakers(demo_snapshot):
    rows = _rows(demo_snapshot, "Who said what about rare earths")
    speakers = {r["speaker_name"] for r in rows}
    assert {"Donald Trump", "Sanae Takaichi"} <= speakers
    assert all(r["quote_text"] for r in rows)


def test_each_quote_counts_once_per_story(demo_snapshot):
    # The seed story is two articles (a syndicated copy): each of its quotes is two rows, one of them first.
    with duckdb.connect(str(demo_snapshot), read_only=True) as con:
        per_story = con.execute(
            "select story_cluster_id, speaker_name, quote_text, count(*) as copies, "
            "count(*) filter (where is_first_in_story) as firsts, count(distinct article_id) as articles "
            "from fct_quotes group by all").fetchall()
        null_stories = con.execute("select count(*) from fct_quotes where story_cluster_id is null").fetchone()
    assert null_stories == (0,)
    assert per_story and all(firsts == 1 for *_, firsts, _ in per_story), per_story
    assert any(copies == 2 and articles == 2 for *_, copies, _, articles in per_story), per_story
    counted = {r["speaker_name"]: r for r in _rows(demo_snapshot, "Who is quoted most, counting each story once")}
    assert all(r["count_quotes"] >= r["count_stories"] >= 1 for r in counted.values())


def test_no_quote_is_a_bare_defined_term(demo_snapshot):
    # The sample site's executive orders define terms in quotation marks ("“Mineral” means ...") and put
    # short phrases in scare quotes; none of them is anybody's words.
    with duckdb.connect(str(demo_snapshot), read_only=True) as con:
        rows = con.execute(
            "select q.speaker_name, q.quote_text, substr(a.text, q.end_char + 1, 40) as after "
            "from fct_quotes as q join articles as a using (article_id)").fetchall()
    assert rows
    defined = [r for r in rows if re.match(r"[”\"]?\s*(?:means|refers to|includes)\b", r[2])]
    bare = [r for r in rows if r[0] is None and len(r[1].split()) <= 4]
    assert not defined and not bare, defined + bare


def test_failing_feeds_are_listed(demo_snapshot):
    health = {r["feed_url"].rsplit("/", 1)[-1]: r["health"] for r in _rows(demo_snapshot, "Which feeds are failing")}
    assert health["down.xml"] == "failing"
    assert "world.xml" not in health


def test_evidence_of_the_seed_story_has_spans_and_terms(demo_snapshot):
    rows = _rows(demo_snapshot, "Every evidence passage of the Takaichi summit story")
    assert {r["topic"] for r in rows} == {"us_japan", "rare_earths"}
    assert all(r["end_char"] > r["start_char"] and r["terms"] for r in rows)
    with duckdb.connect(str(demo_snapshot), read_only=True) as con:
        stories = con.execute("select evidence_terms, evidence_sentences from fct_matching_stories "
                              "where topic = 'rare_earths' and story_cluster_id in "
                              "(select story_cluster_id from articles where title ilike '%takaichi%')").fetchall()
    assert stories and all("rare earth" in terms and sentences for terms, sentences in stories)


def test_the_syndicated_copy_is_one_story_of_two_articles(demo_snapshot):
    rows = _rows(demo_snapshot, "How many articles carried each story")
    # The story's title is the first copy loaded, the seed or its syndicated copy (new headline).
    assert any(("Takaichi" in r["title"] or "Tokyo summit" in r["title"]) and r["count_articles"] == 2
               for r in rows), rows


def test_the_guide_documents_every_table_and_view_column_by_column(demo_snapshot):
    sections = documented_sections()
    with duckdb.connect(str(demo_snapshot), read_only=True) as con:
        objects = con.execute(
            "select table_name from duckdb_tables() where not internal union all "
            "select view_name from duckdb_views() where not internal").fetchall()
        missing = {}
        for (name,) in objects:
            assert name in sections, f"docs/ANALYSTS.md has no '### {name}' section"
            body = sections[name]
            documented = set(_COLUMN_ROW.findall(body))
            same_as = re.search(r"every column of\s+`(\w+)`", body)
            if same_as:
                documented |= set(_COLUMN_ROW.findall(sections[same_as.group(1)]))
            columns = {c for (c,) in con.execute(
                "select column_name from duckdb_columns() where table_name = ? and not internal", [name]).fetchall()}
            if columns - documented:
                missing[name] = sorted(columns - documented)
    assert not missing, f"columns not described in docs/ANALYSTS.md: {missing}"


def test_amounts_in_other_currencies_convert_with_the_rate_table(demo_snapshot, tmp_path):
    # The sample site quotes dollars only, so add a yen fact to a copy of the warehouse.
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_snapshot, db)
    with duckdb.connect(str(db)) as con:
        con.execute("insert into facts (fact_id, event_type, status, event_date, participants, amount_value, "
                    "amount_currency, subject, first_article_id, first_seen_at, last_seen_at, count_mentions) "
                    "select 'yen-fact', 'investment', 'planned', date '2025-11-15', ['Japan'], 1e12, 'JPY', "
                    "'a trillion-yen fund', article_id, now(), now(), 1 from articles limit 1")
        con.execute("insert into facts (fact_id, event_type, status, event_date, participants, amount_value, "
                    "amount_currency, subject, first_article_id, first_seen_at, last_seen_at, count_mentions) "
                    "select 'won-fact', 'investment', 'planned', null, ['Korea'], 1e12, 'KRW', "
                    "'a trillion-won fund', article_id, now(), now(), 1 from articles limit 1")
    rows = {r["subject"]: r for r in _rows(db, "Amounts in other currencies, with the rate used")}
    (rate,) = _run(db, "select usd_per_unit from fx_rates where currency = 'JPY'")[1][0]
    assert rows["a trillion-yen fund"]["amount_usd"] == pytest.approx(1e12 * rate)
    assert rows["a trillion-yen fund"]["fx_as_of"].isoformat() == "2025-10-31"
    assert rows["a trillion-won fund"]["amount_usd"] is None  # no KRW rate: no guess


def test_report_queries_run(demo_snapshot):
    for path in sorted((settings.SQL_DIR / "report").glob("*.sql")):
        columns, _ = _run(demo_snapshot, path.read_text())
        assert columns, path.name


README = DOC.parents[1] / "README.md"
# The DuckDB CLI that pyproject.toml installs (the PyPI duckdb-cli wheel), beside this interpreter.
DUCKDB_CLI = Path(sys.executable).parent / "duckdb"


def _cli(args: list[str], sql: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*args, "-csv", "-c", sql], cwd=cwd, capture_output=True, text=True, timeout=120,
                          check=False)


def test_the_installed_duckdb_cli_is_a_1x_client():
    version = subprocess.run([str(DUCKDB_CLI), "-version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("v1."), version


def test_the_readme_duckdb_command_opens_the_snapshot_as_written(demo_snapshot):
    # The README's line, run from the folder that holds data/ (the checkout root, for the README);
    # `uv run` resolves `duckdb` to the project's environment, which is where DUCKDB_CLI is.
    [line] = [ln for ln in README.read_text().splitlines() if ln.startswith("uv run duckdb ")]
    command = shlex.split(line.split("#", 1)[0])
    assert command[:3] == ["uv", "run", "duckdb"] and command[-1] == "data/newswatch.snapshot.duckdb"
    assert demo_snapshot == demo_snapshot.parents[1] / command[-1]
    done = _cli([str(DUCKDB_CLI), *command[3:]], _query_under("When is Trump meeting Xi, and is it still open"),
                cwd=demo_snapshot.parents[1])
    assert done.returncode == 0, done.stderr
    assert "2025-10-29" in done.stdout


@pytest.mark.parametrize(("heading", "sql"), [pytest.param(h, s, id=h) for h, s in QUERIES])
def test_documented_query_runs_in_the_duckdb_cli(demo_snapshot, heading, sql):
    done = _cli([str(DUCKDB_CLI), "-readonly", str(demo_snapshot)], sql, cwd=demo_snapshot.parent)
    assert done.returncode == 0 and "Error" not in done.stderr, done.stderr
    assert done.stdout.strip()  # at least the header row
