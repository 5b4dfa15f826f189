"""Near-duplicate keys: copies share LSH band keys, unrelated and short texts do not."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from pipeline import sample_site
from pipeline.extract import dedup
from pipeline.extract.html import extract_html, page_canonical_url

ARTICLES = sample_site.SITE_DIR / "articles"


@cache
def page_text(name: str) -> str:
    result = extract_html((ARTICLES / name).read_bytes(), f"http://127.0.0.1/articles/{name}")
    assert result is not None
    return result.text


def near_copy(text: str) -> str:
    """A syndicated rewrite: two words changed and one sentence added."""
    copy = text.replace("Akasaka Palace", "the Akasaka State Guest House", 1)
    assert copy != text
    return copy + " The summit was the first between the two leaders, according to officials in Tokyo."


def test_a_near_copy_shares_band_keys_and_is_highly_similar():
    seed = page_text("trump-takaichi-summit.html")
    copy = near_copy(seed)
    assert dedup.similarity(seed, copy) > 0.95
    assert set(dedup.band_keys(seed)) & set(dedup.band_keys(copy))


def test_the_sample_sites_syndicated_copy_shares_band_keys_with_the_seed():
    seed, syndicated = page_text("trump-takaichi-summit.html"), page_text("syndicated-trump-takaichi-summit.html")
    assert dedup.similarity(seed, syndicated) > 0.9
    assert set(dedup.band_keys(seed)) & set(dedup.band_keys(syndicated))


def test_an_unrelated_text_of_the_same_length_shares_no_key():
    seed = page_text("trump-takaichi-summit.html")
    other_words = page_text("us-australia-framework-critical-minerals-rare-earths.html").split()
    other = " ".join(other_words[:len(seed.split())])
    assert dedup.similarity(seed, other) < 0.5
    assert not set(dedup.band_keys(seed)) & set(dedup.band_keys(other))


def test_keys_are_one_per_band_and_labelled_with_the_band():
    keys = dedup.band_keys(page_text("trump-takaichi-summit.html"))
    assert [key.split(":")[0] for key in keys] == [str(band) for band in range(dedup.BANDS)]
    assert all(len(key.split(":")[1]) == 16 for key in keys)


def test_a_short_text_gets_no_keys_even_when_copied():
    summary = "Trump and Takaichi signed a framework on critical minerals and rare earths in Tokyo. " * 3
    assert len(summary.split()) < dedup.MIN_WORDS
    assert dedup.band_keys(summary) == []
    assert dedup.similarity(summary, summary) == 0.0


def test_keys_are_the_same_in_another_process():
    seed = page_text("trump-takaichi-summit.html")
    code = "import json, sys; from pipeline.extract import dedup; print(json.dumps(dedup.band_keys(sys.stdin.read())))"
    result = subprocess.run([sys.executable, "-c", code], input=seed, capture_output=True, text=True, check=True,
                            env={"PYTHONHASHSEED": "123", "PATH": ""}, cwd=Path(dedup.__file__).parents[1])
    assert json.loads(result.stdout) == dedup.band_keys(seed)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        pytest.param('<link rel="canonical" href="/story?id=7&amp;utm_source=x">', "http://news.test/story?id=7",
                     id="relative-resolved-trackers-dropped"),
        pytest.param("<link href='https://Origin.test/a#top' rel='canonical'>", "https://origin.test/a",
                     id="href-first-host-lowercased"),
        pytest.param('<link rel="canonical" href="https://origin.test/">', None, id="site-root-is-a-template-default"),
        pytest.param('<link rel="canonical" href="javascript:void(0)">', None, id="not-http"),
        pytest.param('<link rel="alternate" href="https://origin.test/a">', None, id="no-canonical"),
    ],
)
def test_the_page_canonical_url_is_resolved_and_normalised(head, expected):
    html = f"<html><head>{head}</head><body><link rel='canonical' href='/in-body'></body></html>"
    assert page_canonical_url(html, "http://news.test/section/page") == expected


def test_band_keys_do_not_import_scipy_and_match_the_whole_datasketch_package():
    """A fresh extract task computes keys without paying datasketch's LSH/scipy imports (1.75 s of CPU),
    and the keys are those of ``datasketch.MinHash`` imported the usual way afterwards."""
    seed = page_text("trump-takaichi-summit.html")
    code = (
        "import json, sys; from pipeline.extract import dedup; keys = dedup.band_keys(sys.stdin.read()); "
        "light = sorted(m for m in ('scipy', 'datasketch', 'datasketch.lsh') if m in sys.modules); "
        "import datasketch; same = datasketch.MinHash is dedup._minhash(); "
        "print(json.dumps({'keys': keys, 'loaded': light, 'same': same, 'lsh': hasattr(datasketch, 'MinHashLSH')}))"
    )
    result = subprocess.run([sys.executable, "-c", code], input=seed, capture_output=True, text=True, check=True,
                            env={"PYTHONHASHSEED": "123", "PATH": ""}, cwd=Path(dedup.__file__).parents[1])
    out = json.loads(result.stdout)
    assert out["loaded"] == []
    assert out["same"] and out["lsh"]
    assert out["keys"] == dedup.band_keys(seed)
