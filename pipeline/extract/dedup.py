"""Near-duplicate keys: MinHash signatures of word shingles, cut into LSH band keys.

Two copies of one story (a syndicated copy with a new headline, a wording change, a sentence
added) share most of their word 5-shingles. MinHash estimates that Jaccard overlap; LSH turns a
signature into ``BANDS`` keys so that the loader finds candidate copies by looking keys up in an
index (``article_keys``), whatever the size of the history, instead of comparing with every
stored article.

Parameters:
- **5-word shingles** of the normalised text (lower-case ``\\w+`` tokens, as ``extract.text_hash``).
  Shorter shingles make unrelated stories on one topic look alike (stock phrases such as "the
  united states and japan" are 5 tokens, but a whole text shares few of them); longer ones let
  one changed word knock out more shingles, lowering the overlap of true copies.
- **128 permutations, seed 1, scheme affine32**, all pinned: stored keys must match the keys of
  articles loaded years later, in another process, by another datasketch release.
- **8 bands of 16 rows**: ``datasketch.lsh._optimal_param(0.85, 128, 0.5, 0.5)``, the split that
  minimises false positives plus false negatives around Jaccard 0.85 (Feedly merges copies with
  more than 85% overlap). The chance that two texts share at least one band is
  ``1 - (1 - s**16)**8``: 0.99 at s = 0.95, 0.81 at 0.90, 0.46 at 0.85, 0.03 at 0.70,
  0.0001 at 0.50. No verification follows in SQL, so the curve is kept steep.
- Texts under ``MIN_WORDS`` words (feed summaries, teasers) get no keys: short texts on one
  topic overlap by chance, and a summary is not a copy of a story.

Text without spaces between words (Japanese, Chinese) gives few ``\\w+`` tokens and so rarely
reaches ``MIN_WORDS``; such copies are clustered only by text hash or canonical URL.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import re
import sys
import types
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datasketch.minhash import MinHash

logger = logging.getLogger(__name__)

SHINGLE_WORDS = 5
NUM_PERM = 128
SEED = 1
SCHEME = "affine32"
BANDS = 8
ROWS = 16
MIN_WORDS = 50
_WORD = re.compile(r"\w+")

assert BANDS * ROWS == NUM_PERM  # noqa: S101 - a wrong edit of the constants must fail at import


def shingles(text: str) -> set[str]:
    """The set of word ``SHINGLE_WORDS``-grams of the normalised text (empty under ``MIN_WORDS``)."""
    words = _WORD.findall(text.lower())
    if len(words) < MIN_WORDS:
        return set()
    return {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def _minhash_of(module: types.ModuleType) -> type[MinHash]:
    minhash: type[MinHash] = module.MinHash
    return minhash


@cache
def _minhash() -> type[MinHash]:
    """datasketch's ``MinHash`` class, imported without the package's ``__init__``.

    ``import datasketch`` imports every sketch it has, and its LSH classes pull in
    ``scipy.integrate``: about 1.75 s of CPU in every fresh task process, for a class that needs
    only numpy. So ``datasketch.minhash`` (and ``datasketch.hashfunc``, all it imports) is loaded
    under a bare package object that is removed again afterwards; a later ``import datasketch``
    runs the real ``__init__`` and gets this same module.
    """
    if "datasketch" in sys.modules:  # someone imported the whole package already
        return _minhash_of(importlib.import_module("datasketch.minhash"))
    spec = importlib.util.find_spec("datasketch")
    if spec is None or spec.submodule_search_locations is None:
        raise ImportError("datasketch is not installed (it is a dependency in pyproject.toml)")
    bare = types.ModuleType("datasketch")
    bare.__path__ = list(spec.submodule_search_locations)
    sys.modules["datasketch"] = bare
    try:
        return _minhash_of(importlib.import_module("datasketch.minhash"))
    finally:
        if sys.modules.get("datasketch") is bare:
            del sys.modules["datasketch"]


@cache
def _template() -> MinHash:
    # Generating the permutations is a third of the cost of a signature; share them.
    return _minhash()(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)


def signature(text: str) -> MinHash | None:
    """The MinHash of the text's shingles, or ``None`` for a text under ``MIN_WORDS`` words."""
    grams = shingles(text)
    if not grams:
        return None
    template = _template()
    minhash = _minhash()(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, permutations=template.permutations)
    minhash.update_batch([g.encode() for g in grams])
    return minhash


def band_keys(text: str) -> list[str]:
    """The LSH band keys of a text: ``"<band index>:<hex hash of the band's rows>"``.

    Args:
        text: the article's clean text.

    Returns:
        ``BANDS`` keys; two texts that share any key are candidate copies. Empty for texts
        under ``MIN_WORDS`` words, so that short summaries never cluster.
    """
    minhash = signature(text)
    if minhash is None:
        return []
    values = minhash.hashvalues
    keys = []
    for band in range(BANDS):
        rows = values[band * ROWS:(band + 1) * ROWS].astype("<u8").tobytes()
        keys.append(f"{band}:{hashlib.blake2b(rows, digest_size=8).hexdigest()}")
    return keys


def similarity(text_a: str, text_b: str) -> float:
    """Exact Jaccard overlap of two texts' shingle sets (0 when either is under ``MIN_WORDS``)."""
    a, b = shingles(text_a), shingles(text_b)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
