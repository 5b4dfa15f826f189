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
    r"reiterated|concluded|added"
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
