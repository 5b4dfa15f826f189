"""The one decoder of a classification's evidence: the JSON list of sentences that made it match.

The classifier stores ``[{"text", "start", "end", "field", "terms"}, ...]`` as JSON; the summary,
the monitor page and the alerts read it through :func:`decode`, so a malformed value looks the same
everywhere (one sentence holding the raw text) instead of failing one reader and not another.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

FIELD_TITLE = "title"
FIELD_TEXT = "text"


@dataclass(frozen=True)
class Sentence:
    """One evidence sentence: its text, the terms that fired in it, and where it was found."""

    text: str
    terms: tuple[str, ...] = ()
    field: str | None = None  # "title", "text", or None when the stored value did not say


def decode(raw: Any) -> list[Sentence]:
    """The evidence sentences of a stored value, in stored order.

    Args:
        raw: the JSON text of the ``evidence`` column, an already decoded list or mapping, or ``None``.

    Returns:
        The sentences; a value that is not JSON gives one sentence holding it, an empty value none.
    """
    if not raw:
        return []
    try:
        items = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        return [Sentence(text=str(raw))]
    out = []
    for item in items if isinstance(items, list) else [items]:
        if isinstance(item, dict):
            out.append(Sentence(text=str(item.get("text") or ""), terms=tuple(str(t) for t in item.get("terms") or []),
                                field=item.get("field")))
        else:
            out.append(Sentence(text=str(item)))
    return out


def from_text(sentences: list[Sentence]) -> list[Sentence]:
    """The sentences found in the article's text (not its title)."""
    return [s for s in sentences if s.field == FIELD_TEXT]


def one_line(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis when longer."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def at_word(text: str, width: int) -> str:
    """``text`` on one line; when longer than ``width``, cut after its last whole word that fits, with " …".

    A single word longer than ``width`` is cut inside it (there is no word boundary to cut at).
    """
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    head = text[: width - 2]  # room for " …"
    if text[width - 2] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:–—-") + " …"
