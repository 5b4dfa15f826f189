"""The gazetteer behind entity extraction: ``config/entities.yaml`` loaded, checked and compiled.

Every canonical actor of the two watch topics (people with roles and terms of office, ministries, agencies,
companies, countries, cities, facilities) with its aliases in English and Japanese. The surface forms compile
into one trie-shaped regular expression, so matching the whole gazetteer costs one pass over the text. A
malformed file fails loudly with a :class:`~pipeline.errors.ConfigError` naming the entry to fix.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Any

import yaml

from pipeline import settings
from pipeline.config_schema import EntitiesFile, GazetteerEntrySchema, check
from pipeline.errors import ConfigError

logger = logging.getLogger(__name__)

ENTITIES_FILE_ENV = "NEWS_ENTITIES_FILE"  # named in config errors

ENTRY_KEYS = frozenset(
    "name type aliases surname role terms country gender kind capital_of demonyms media wikidata".split()
)
TOP_KEYS = frozenset("persons organizations places facilities generic_orgs ignore minerals".split())
SECTION_TYPES = {"persons": "PERSON", "organizations": "ORG", "places": "GPE", "facilities": "FAC"}


@dataclass(frozen=True)
class GazetteerEntry:
    """One canonical actor from the gazetteer."""

    name: str
    type: str
    aliases: tuple[str, ...]
    surname: str | None = None
    given: str | None = None
    role: str | None = None
    terms: tuple[tuple[dt.date, dt.date | None], ...] = ()
    country: str | None = None
    gender: str | None = None
    kind: str | None = None
    capital_of: str | None = None
    demonyms: tuple[str, ...] = ()
    media: bool = False
    wikidata: str | None = None  # Wikidata QID, curated in config/entities.yaml


@dataclass(frozen=True)
class Mineral:
    """A critical mineral of the ``minerals`` section: reference ids, not matched in text."""

    name: str
    symbol: str | None = None
    wikidata: str | None = None
    hs_code: str | None = None


@dataclass(frozen=True)
class Gazetteer:
    """The compiled gazetteer: entries, a surface-form index and one matching regex."""

    entries: dict[str, GazetteerEntry]
    surface: dict[str, tuple[str, str]]  # normalised surface form -> (canonical name, how)
    generic: dict[str, dict[str, str]]
    ignore: frozenset[str]
    pattern: re.Pattern[str]
    minerals: tuple[Mineral, ...] = ()


def norm_surface(text: str) -> str:
    """A surface form as the gazetteer indexes it: single spaces, straight apostrophes."""
    return " ".join(text.replace("’", "'").split())


_KATAKANA = re.compile(r"[\u30a0-\u30ff]")
_KATAKANA_LETTER_BEFORE = r"(?<![\u30a1-\u30fa\u30fc-\u30ff])"  # letters and the long-vowel mark, not "・"
_KATAKANA_LETTER_AFTER = r"(?![\u30a1-\u30fa\u30fc-\u30ff])"


def _is_cjk(text: str) -> bool:
    return any("\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" for ch in text)


def _as_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _parse_entry(raw: Any, etype: str, where: str, key: str = "") -> GazetteerEntry:
    if isinstance(raw, str):
        raw = {"name": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise ConfigError(f"{where}: every entry needs a string 'name', got {raw!r}")
    extra = set(raw) - ENTRY_KEYS
    if extra:
        # The usual cause: an unquoted comma inside a flow mapping ("{name: Ministry of Economy, Trade ...}").
        raise ConfigError(
            f"{where}: entry {raw['name']!r} has unknown keys {sorted(extra)}; quote names with commas"
        )
    check(GazetteerEntrySchema, raw, where, prefix=key)
    name = str(raw["name"])
    aliases = tuple(str(a) for a in raw.get("aliases") or ())
    surname: str | None = None
    given: str | None = None
    if etype == "PERSON":
        words = name.split()
        surname_raw = raw.get("surname", words[-1] if len(words) > 1 else None)
        surname = str(surname_raw) if surname_raw not in (None, False) else None
        given = words[0] if len(words) > 1 and words[0] != surname else None
        if raw.get("country") == "Japan" and len(words) == 2:
            aliases += (f"{words[1]} {words[0]}",)  # Japanese name order: "Takaichi Sanae"
    terms = tuple((_as_date(a), _as_date(b)) for a, b in raw.get("terms") or ())
    return GazetteerEntry(
        name=name,
        type=str(raw.get("type", etype)),
        aliases=aliases,
        surname=surname,
        given=given,
        role=raw.get("role"),
        terms=tuple((a, b) for a, b in terms if a is not None),
        country=raw.get("country"),
        gender=raw.get("gender"),
        kind=raw.get("kind"),
        capital_of=raw.get("capital_of"),
        demonyms=tuple(str(d) for d in raw.get("demonyms") or ()),
        media=bool(raw.get("media", False)),
        wikidata=raw.get("wikidata"),
    )


def _trie_regex(forms: list[str]) -> str:
    """One regex matching any of ``forms``, longest first, shaped as a trie so matching stays linear."""
    trie: dict[str, Any] = {}
    for form in forms:
        node = trie
        atoms: list[str] = []
        for ch in form:
            if ch == " ":
                atoms.append(r"[\s\xa0]+")
            elif ch in "'’":
                atoms.append("['’]")
            else:
                atoms.append(re.escape(ch))
        if _KATAKANA.match(form[0]):
            # "タイ" (Thailand) is not the start of "タイトル"; the middle dot "・" separates names ("アメリカ・ホワイトハウス")
            atoms.insert(0, _KATAKANA_LETTER_BEFORE)
        # A form ending in a word character must not run on into a longer word ("US" in "USS", "US$").
        if _KATAKANA.match(form[-1]):
            atoms.append(_KATAKANA_LETTER_AFTER)
        else:
            atoms.append(r"(?![\w$])" if re.match(r"\w", form[-1]) and not _is_cjk(form[-1]) else "")
        for atom in atoms:
            node = node.setdefault(atom, {})
        node["\0"] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [atom + emit(child) for atom, child in node.items() if atom != "\0"]
        branches.sort(key=len, reverse=True)
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "\0" in node:
            return "(?:" + body + ")?"
        return body

    return emit(trie)


@functools.lru_cache(maxsize=4)
def _load_gazetteer_cached(path: str, mtime: float) -> Gazetteer:
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict) or set(data) - TOP_KEYS:
        raise ConfigError(f"{path} ({ENTITIES_FILE_ENV}): top-level keys must be among {sorted(TOP_KEYS)}")
    check(EntitiesFile, data, f"{path} ({ENTITIES_FILE_ENV})")
    entries: dict[str, GazetteerEntry] = {}
    for section, etype in SECTION_TYPES.items():
        for i, raw in enumerate(data.get(section) or ()):
            entry = _parse_entry(raw, etype, f"{path} [{section}]", f"{section}[{i}]")
            if entry.name in entries:
                raise ConfigError(f"{path}: {entry.name!r} is listed twice")
            entries[entry.name] = entry
    for entry in entries.values():
        for ref in (entry.country, entry.capital_of):
            if ref and ref not in entries:
                raise ConfigError(f"{path}: {entry.name!r} refers to {ref!r}, which is not an entry")
    surface: dict[str, tuple[str, str]] = {}

    def add(form: str, name: str, how: str) -> None:
        key = norm_surface(form)
        if key and key not in surface:
            surface[key] = (name, how)
        if how != "surname" and not _is_cjk(form) and len(form) >= 4 and form != form.upper():
            upper = norm_surface(form.upper())
            if upper not in surface:
                surface[upper] = (name, how)

    for entry in entries.values():  # full names and aliases first: they win over surnames and demonyms
        add(entry.name, entry.name, "name")
        for alias in entry.aliases:
            add(alias, entry.name, "name")
    for entry in entries.values():
        if entry.surname:
            add(entry.surname, entry.name, "surname")
        for demonym in entry.demonyms:
            add(demonym, entry.name, "demonym")
    generic = {
        str(k): {str(c): str(o) for c, o in v.items()} for k, v in (data.get("generic_orgs") or {}).items()
    }
    for phrase, owners in generic.items():
        unknown = [o for o in owners.values() if o not in entries]
        if unknown:
            raise ConfigError(f"{path}: generic_orgs {phrase!r} points to unknown entries {unknown}")
    for phrase in generic:
        surface.setdefault(norm_surface(phrase), ("", "generic"))
    ignore = frozenset(norm_surface(str(x)) for x in data.get("ignore") or ())
    forms = sorted(surface, key=len, reverse=True)
    latin = [f for f in forms if not _is_cjk(f[0])]
    cjk = [f for f in forms if _is_cjk(f[0])]
    parts = [r"(?<![\w$])" + "(?:" + _trie_regex(latin) + ")"]
    if cjk:
        parts.append("(?:" + _trie_regex(cjk) + ")")
    pattern = re.compile("|".join(parts))
    logger.debug("gazetteer %s: %d entries, %d surface forms", path, len(entries), len(surface))
    minerals = tuple(Mineral(str(m["name"]), m.get("symbol"), m.get("wikidata"), m.get("hs_code"))
                     for m in data.get("minerals") or ())
    return Gazetteer(entries, surface, generic, ignore, pattern, minerals)


def load_gazetteer() -> Gazetteer:
    """Load and compile the gazetteer (cached per file and modification time).

    Returns:
        The compiled :class:`Gazetteer`.
    """
    path = settings.load().entities_file  # NEWS_ENTITIES_FILE, else config/entities.yaml
    return _load_gazetteer_cached(str(path), path.stat().st_mtime)


def entity_ids() -> list[dict[str, str | None]]:
    """The curated identifiers, one row per entity that has one, for the ``entities`` table.

    Gazetteer entries with a Wikidata QID, and every mineral (type ``MINERAL``) with its QID, element
    symbol and HS code. ``entity_id`` is the same ``sha256(type || name)[:16]`` facts use.

    Returns:
        Rows with ``entity_id``, ``name``, ``type``, ``wikidata_qid``, ``element_symbol``, ``hs_code``.
    """
    gaz = load_gazetteer()
    rows: list[dict[str, str | None]] = [
        {"name": e.name, "type": e.type, "wikidata_qid": e.wikidata, "element_symbol": None, "hs_code": None}
        for e in gaz.entries.values() if e.wikidata
    ]
    rows += [{"name": m.name, "type": "MINERAL", "wikidata_qid": m.wikidata, "element_symbol": m.symbol,
              "hs_code": m.hs_code} for m in gaz.minerals]
    return [{"entity_id": hashlib.sha256(f"{r['type']}{r['name']}".encode()).hexdigest()[:16], **r} for r in rows]


def entity_types() -> dict[str, str]:
    """Canonical name -> entity type for every gazetteer entry (for loading the entities table).

    Returns:
        A dict such as ``{"Sanae Takaichi": "PERSON", "Japan": "GPE", ...}``.
    """
    return {name: entry.type for name, entry in load_gazetteer().entries.items()}


def entity_aliases() -> dict[str, list[str]]:
    """Canonical name -> aliases (declared aliases, linking surname and demonyms) from the gazetteer.

    Returns:
        A dict such as ``{"Donald Trump": ["Donald J. Trump", ..., "Trump"], ...}``.
    """
    out: dict[str, list[str]] = {}
    for name, entry in load_gazetteer().entries.items():
        aliases = list(entry.aliases)
        if entry.surname and entry.surname not in aliases:
            aliases.append(entry.surname)
        aliases.extend(d for d in entry.demonyms if d not in aliases)
        out[name] = aliases
    return out
