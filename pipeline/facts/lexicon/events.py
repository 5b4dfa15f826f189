"""Trigger words and status cues of event extraction: data only, read by ``pipeline.facts.events``.

Each event type of ``eval/FACTS.md`` has verb triggers ("met", "signed") and noun triggers ("summit",
"tariffs"); nouns may refer back to an event already told ("the deal"), verbs may not. Each pattern is a
regular expression, matched case-sensitively unless it says otherwise; the patterns of one type and form
are tried as one alternation, in the order listed. Adding a word here changes extraction: rerun
``newswatch eval facts``.
"""

from __future__ import annotations

# Verb triggers of each event type.
TRIGGER_VERBS: dict[str, tuple[str, ...]] = {
    "meeting": (
        r"\b(?:meet|meets|met|meeting\s+with)\b",
        r"\b(?:visit|visits|visited|visiting)\b",
        r"\b(?:hosted|will\s+host|to\s+host)\b",
    ),
    "agreement": (
        r"\bagreed\b(?!\s+to\s+(?:invest|buy|purchase|spend))",
        r"\bSigned\b",
    ),
    "investment": (
        r"\b(?:invest|invests|invested|investing)\b",
        r"\b(?:acquire|acquires|acquired|acquiring|purchase|purchases|purchased|purchasing|buy|buys|buying|bought)\b",
        # "Up to $25 billion to supply ...", "$600 million to upgrade ports": a figure put to a purpose
        r"(?:US\$|[$¥€£])\s?\d[\d.,]*(?:\s*(?:billion|million|trillion|bn|mln|bln))?\s+(?:(?:to|for)\s+(?:support|supply|construct|build|upgrade|establish|produce|develop|fund|finance|expand|acquire|purchase|modernize|open)|in\s+(?:partnership|collaboration|cooperation)\s+with)\b",
    ),
    "other_commitment": (
        # government spending pledges ("plans to spend 5,000 billion yen to boost demand") are commitments
        r"\b(?:spend|spends|spending)\b(?=[^.;]{0,40}(?:US\$|[$¥€£]|\d))",
        r"\b(?:nominate|nominated|nominating|nomination)\b",
        r"\b(?:establish|establishes|established|establishing|launch|launches|launched|create|creates)\s+(?:a|an|the)\s+(?:[\w’'.-]+\s+){0,8}?(?:Group|Council|Committee|Fund|Task\s+Force|mechanism|office|dialogue)\b",
        r"\b(?:approved|approves|approve)\s+(?:the|an?)\s+\w+",
    ),
    "trade_measure": (r"\b(?:banned|banning|prohibited|prohibits|restrict|restricts|restricted)\b",),
    "defense": (
        r"\b(?:deploy|deploys|deployed|deploying|deployment|co-?production|co-?development)\b",
        r"\b(?:jointly\s+develop|develop\s+a\s+new\s+generation\s+of\s+fighter)\w*\b",
    ),
}

# Noun triggers of each event type; these can be back-references ("the deal").
TRIGGER_NOUNS: dict[str, tuple[str, ...]] = {
    "meeting": (
        r"\b(?:meetings?|summit|summits)\b",
        r"\b(?:talks|discussions\s+with|negotiations\s+with)\b",
        r"\b(?:(?:phone|telephone|video)\s+call|spoke\s+by\s+phone|call\s+with|phone\s+talks)\b",
        r"\b(?:Ministerial|ministerial\s+meeting|ministerial)\b",
    ),
    "agreement": (
        r"\b(?:agreements?|deals?|pacts?|accords?|treat(?:y|ies)|memorand(?:um|a)|MOU|MOC|MoU|MoC)\b",
        r"\b(?:joint\s+statement|statement\s+of\s+intent|signing\s+ceremony|signing)\b",
        # a bare "framework" is usually a policy or pricing framework; it is a deal when reached or signed
        r"\bframework\b",
        r"\b(?:Framework|Agreement|Agreements|Deal|Deals|Accord|Treaty|Memorandum|Action\s+Plan|Statement\s+of\s+Intent)\b",
    ),
    "investment": (
        r"\b(?:investments?|financing|funding|loans?|(?<!\b[Aa]t\s)stakes?|acquisitions?|package)\b",
        r"\b(?:letters?\s+of\s+intent|financial\s+support(?!\s+(?:mechanisms?|tools?|systems?)))\b",
    ),
    "trade_measure": (
        r"\b(?:tariffs?|sanctions?|quotas?|embargo(?:es)?|anti-?dumping|duties|levies|curbs|trade\s+bill)\b",
        r"\b(?:export|import)\s+(?:controls?|restrictions?|curbs?|bans?|licen[cs]es?|quotas?|duties)\b",
        r"\b(?:restrictions?|bans?|market\s+access|trade\s+barriers?|price\s+floors?|non-market\s+(?:policies|practices)|unfair\s+trade\s+practices)\b",
    ),
    "defense": (
        r"\bdefen[cs]e\s+(?:spending|budgets?|equipment|capabilit(?:y|ies)|build-?up|posture|outlays?|expenditures?|procurement|deals?)\b",
        r"\bmilitary\s+(?:build-?up|spending|budget|bases?|exercises?|drills?|deployments?|aid|expansion)\b",
        r"\b(?i:missiles?|fighter\s+(?:jets?|planes?|aircraft)|fighters|troops|warships?|destroyers?|aircraft\s+carriers?|arms\s+(?:sales?|purchases?|exports?)|weapons)\b",
    ),
    "other_commitment": (
        r"\bworking\s+group\b",
        r"\b(?:stockpil(?:e|es|ing)\s+(?:arrangement|system|program))\b",
    ),
}

# Tense and modality cues, most specific first; each maps to a status (the first cue found wins a tie).
STATUS_CUES: dict[str, str] = {
    "denied": r"\b(?:denied|denies|deny|dismissed\s+reports?|no\s+plans?\s+to|not\s+true|rejected\s+reports?)\b",
    "cancelled": r"\b(?:cancel(?:l?ed|s|ling)?|called\s+off|scrapped|postponed|suspended|abandoned|withdrew|pulled\s+out\s+of|terminated)\b",
    "expected": r"\b(?:(?:is|are|was|were)\s+expected\s+to|expected\s+to|likely\s+to|is\s+likely|are\s+likely|reportedly|poised\s+to|could|may|might|would\s+likely|is\s+seen\s+as\s+likely)\b",
    "proposed": r"\b(?:proposed|proposes|propose|proposal|exploring|explore|explores|negotiating|under\s+negotiation|in\s+talks|considering|consider|seeks?\s+to|seeking|draft|discussing|possible|potential|intend\s+to\s+work\s+together\s+to\s+consider)\b",
    "planned": r"\b(?:plans?\s+to|planned|planning\s+to|plans\s+for|announced\s+plans|scheduled|set\s+to|to\s+be\s+held|due\s+to|aims?\s+to|efforts?\s+to|preparing\s+to|(?:is|are)\s+to|sets\s+out|upcoming|will\s+(?:hold|meet|visit|travel|host|attend|begin|start|convene|continue)|would\s+(?:hold|meet|visit))\b",
    "announced": r"\b(?:will|shall|would|’ll|'ll|commit(?:s|ted)?\s+to|committed|commitment|pledge[sd]?|pledging|vow(?:s|ed|ing)?|promise[sd]?|(?:has\s+)?decided\s+to|agreed\s+to|announced|announces|announcing|unveil(?:s|ed)?|outlined|welcomed|welcomes|are\s+taking\s+measures|is\s+taking\s+measures|are\s+establishing|is\s+establishing|intention\s+to|are\s+intensifying|intends?\s+to|intend)\b",
    "happened": r"\b(?:met|held|signed|agreed|reached|concluded|imposed|approved|issued|struck|inked|sealed|completed|finalized|finalised|took\s+effect|went\s+into\s+effect|accelerated|delivered|received|submitted|hosted|visited|launched|established|secured|conducted|occurred|began|started|marking|memorializing|imposition|spoke|ordered|prohibited|reversed|initiated|referred|announced|championed|reaffirmed|discussed|brought|shared)\b",
}

# Determiners that make a noun trigger a reference to an event told before ("the meeting").
REFERENCE_WORDS = frozenset(
    "the this that these those each such said similar existing today’s today's yesterday’s yesterday's its their "
    "his her our".split()
)
# Words that end the noun phrase before a trigger: a verb or preposition ("would impose high tariffs").
NP_BREAKERS = frozenset(
    """to of in on for with by at from into over under about against between after before is are was were be been
    being has have had will would shall should can could may might must do does did said says say impose imposed
    imposes sign signed signs reach reached build built make made announce announced agree agreed plans plan
    planned expected expects seek seeks and or but as than that which who""".split()
)
# Determiners that introduce a new event ("a deal", "two summits").
NEW_WORDS = frozenset("a an another two three four several".split())

# --- Lemma classes read from the dependency parse (``pipeline.facts.syntax``) ---------------------------------
# Each is a class of lemmas in the sense of a WordNet verb or noun class, not a phrase of any one document.
# Nouns of military protection: a defense event when they qualify a commitment-like head
# ("alliance commitments", "defense cooperation", "commitment to Japan's defense").
DEFENSE_LEMMAS = frozenset("defense defence deterrence alliance military".split())
# Heads that make a commitment, a tie or an outlay of the noun that qualifies them.
COMMITMENT_HEADS = frozenset(
    "commitment commitments cooperation investment spending budget capability obligation guarantee pledge "
    "posture partnership tie".split()
)
# Verbs of promising (WordNet "commit, pledge, vow, promise"): a commitment in any tense.
PROMISE_LEMMAS = frozenset("commit pledge vow promise undertake proclaim guarantee".split())
# Verbs of carrying out a course of action; a commitment when modal or the complement of a promise or plan.
# Verbs of working together in general ("work with", "cooperate", "support") are not in it: they name no act.
ACTION_LEMMAS = frozenset(
    "implement prioritize prioritise expand continue establish launch initiate conduct create pursue "
    "accelerate strengthen deepen".split()
)
# Procedural acts and the things they produce: "initiated a review", "submitted a recommendation".
PROCEDURE_LEMMAS = frozenset("initiate launch submit open conduct complete commence begin".split())
PROCEDURE_OBJECTS = frozenset(
    "review investigation study probe inquiry recommendation program programme initiative examination".split()
)
# Social and diplomatic gatherings: a meeting of those who attend or host them.
GATHERING_NOUNS = frozenset(
    "dinner luncheon banquet reception funeral ceremony conference forum trip tour".split()
)
# Verbs whose subject and object (or "with" object) meet: "welcome", "host", "discuss with".
ENCOUNTER_LEMMAS = frozenset("welcome host greet receive confer discuss".split())
# Governing verbs and what they make of the event in their complement.
PLAN_LEMMAS = frozenset("plan intend aim schedule prepare set arrange look".split())
EXPECT_LEMMAS = frozenset("expect anticipate forecast predict".split())
AGREE_LEMMAS = frozenset("agree decide reaffirm affirm reiterate commit pledge vow promise resolve".split())
PROPOSE_LEMMAS = frozenset("propose suggest consider explore seek negotiate urge recommend study".split())
# Modal auxiliaries: a declared future, or something only possible.
FUTURE_MODALS = frozenset("will shall 'll ’ll".split())
POSSIBLE_MODALS = frozenset("could may might would".split())
# Performative adverb of signed instruments: the act happens on the instrument's own date.
PERFORMATIVE = frozenset({"hereby"})
