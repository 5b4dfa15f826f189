"""The verbs and nouns that attribute a quotation: data only, read by ``pipeline.facts.quotes``.

Each is a regular-expression alternation, matched as whole words and ignoring case. Speech verbs attribute
a quote on either side ("…,” Trump said", "said Takaichi"); attitude verbs only introduce one ("commending
her as a “…”"); nominal speakers are unnamed people who speak for an organisation ("a ministry
spokesman said"). Adding a word here changes extraction: rerun ``newswatch eval facts``.
"""

from __future__ import annotations

SPEECH_VERBS = (
    r"said|says|say|told|tells|added|adds|stated|states|noted|notes|wrote|writes|asked|asks|explained|"
    r"warned|warns|insisted|insists|declared|declares|announced|tweeted|posted|remarked|commented|replied|"
    r"continued|stressed|emphasized|emphasised|argued|argues|acknowledged|recalled|predicted|pledged|urged|"
    r"reiterated|concluded|suggested|suggests"
)
ATTITUDE_VERBS = (
    r"calling|called|commending|commended|praising|praised|describing|described|saying|vowing|urging|"
    r"warning|dubbing|dubbed|labeling|labelling|labeled|labelled|terming|termed|branding|branded|hailing|"
    r"hailed|lauding|lauded|declaring|insisting|adding|noting|writing|stating|telling|as\s+(?:a|an|the)"
)
NOMINAL_SPEAKERS = (
    r"spokesman|spokeswoman|spokesperson|official|officials|aide|aides|source|sources|analyst|"
    r"analysts|diplomat|diplomats"
)

# Coreference (``pipeline.facts.coref``). Role nouns name an office or a speaking job: "President Donald Trump"
# gives Trump the role "president", and "the President" later is the most recent person holding it. Office
# qualifiers make a compound role ("prime minister", "foreign minister", "vice president"); a role whose first
# word is a distinct office ("vice president", "former prime minister") is never meant by the bare noun.
ROLE_NOUNS = (
    r"president-elect|president|minister|premier|chancellor|secretary-general|secretary|ambassador|governor|"
    r"senator|spokesperson|spokesman|spokeswoman|official|envoy|negotiator|commissioner|chairman|chairwoman|"
    r"chairperson|chair|director-general|director|mayor|king|queen|emperor|empress|ceo|adviser|advisor|"
    r"aide|diplomat|analyst|source|representative|administrator|counselor|lady"
)
OFFICE_QUALIFIERS = (
    r"vice|deputy|prime|foreign|defen[cs]e|finance|trade|economy|economic|commerce|treasury|energy|interior|"
    r"industry|state|cabinet|chief|press|acting|assistant|under|executive|managing|general|first|former|late|"
    r"then|national\s+security|white\s+house|senior|top|junior|unnamed|government|ministry|company"
)
# Qualifiers that describe the holder, not the office: dropped before roles are compared.
DESCRIPTIVE_QUALIFIERS = frozenset({"senior", "top", "junior", "unnamed", "acting"})
# First words of a role that make it another office than its last word ("vice president" is not "the president").
DISTINCT_OFFICES = frozenset({"vice", "deputy", "assistant", "under", "former", "late", "then", "first"})
# "the ministry said": the most recent organisation whose name has the noun ("the company": one with a company
# head word).
ORG_REFERENCE_NOUNS = (
    r"ministry|department|agency|commission|council|committee|bureau|embassy|office|company|firm|group|bank"
)
COMPANY_HEADS = frozenset(
    """corp corp. corporation inc inc. ltd ltd. llc co co. company group holdings metals mining minerals
    materials resources industries motors steel electric technologies systems partners""".split()
)
HONORIFIC_GENDERS = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f", "madam": "f", "sir": "m", "dame": "f"}
ROLE_GENDERS = {
    "spokesman": "m",
    "spokeswoman": "f",
    "chairman": "m",
    "chairwoman": "f",
    "king": "m",
    "queen": "f",
    "emperor": "m",
    "empress": "f",
    "lady": "f",
}
# After these, a short quoted phrase is a term being defined, not words spoken ("“Mineral” means ...").
DEFINITION_VERBS = (
    r"means|mean|shall\s+mean|refers\s+to|refer\s+to|includes|include|has\s+the\s+meaning|is\s+defined"
)
