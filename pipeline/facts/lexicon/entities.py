"""Word lists and cue patterns of entity finding: data only, read by ``pipeline.facts.entities``.

Title words, the head words that type a capitalised name ("... Council" is an organisation, "... Project" a
facility), words that are never names on their own, and the cues that tell a capital city used for its
government ("Tokyo urged") from the place ("in Tokyo"). Matching is case-sensitive unless a pattern says
otherwise. Adding a word here changes extraction: rerun ``newswatch eval facts``.
"""

from __future__ import annotations

import re

# spaCy labels kept, and the entity type each becomes.
NER_LABELS = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "GPE", "LOC": "GPE", "FAC": "FAC"}

TITLE_WORDS = frozenset(
    """President Vice Prime Minister Ministers Secretary Deputy Chief Cabinet Governor Gov Gov. Sen Sen.
    Senator Rep Rep. Representative Congressman Congresswoman Mr Mr. Mrs Mrs. Ms Ms. Dr Dr. Director
    Chairman Chairwoman Chair CEO CFO COO Ambassador Speaker Premier Chancellor
    General Gen Gen. Admiral Adm Adm. Commissioner Acting Executive Managing Undersecretary
    Under Assistant Spokesman Spokeswoman Spokesperson Lady First Former Late Founder Leader Mayor Justice
    Judge Professor Prof Prof. Lt Lt. Col Col. Capt Capt. Sgt Officer Envoy Negotiator Trade Foreign
    Defense Defence Finance Economy Commerce Treasury Energy Interior Industry State Chairperson
    President-elect Vice-President Director-General Secretary-General Counselor Adviser Advisor""".split()
)
ORG_HEADS = frozenset(
    """Corp Corp. Corporation Inc Inc. Ltd Ltd. LLC Co Co. Company Companies Group Holdings Council Committee
    Commission Ministry Department Agency Administration Association Institute Institution University
    College Bank Party Laboratory Laboratories Lab Office Bureau Authority Board Forces Force Army Navy
    Command Fund Foundation Federation Union Organization Organisation Center Centre Society Service
    Services Metals Mining Minerals Materials Resources Energy Electric Power Steel Motors Industries
    Manufacturing Technologies Technology Systems Partners Capital Exchange Network Trust Airlines Airways
    Chemical Chemicals Petroleum Oil Gas Shipbuilding Securities Insurance Reserve Court Parliament
    Assembly Cabinet Secretariat Guard Corps Fleet Agency Club Press Times News Post Journal""".split()
)
FAC_HEADS = frozenset(
    """Project Mine Mines Road Highway Palace Shrine Airport airport Base Station Bridge Dam Port Plant
    Refinery Smelter Telescope Reactor Tower Building Terminal Pipeline deposit Deposit Canal Stadium
    Castle Temple Museum Hospital Prison Facility Complex Arsenal Shipyard Camp""".split()
)
# Names with these heads are documents, programmes or weapons, not entities ("Technology Prosperity Deal").
NOT_ENTITY_HEADS = frozenset(
    """Deal Deals Agreement Agreements Alliance Framework Memorandum Partnership Plan Initiative Program Programme
    Strategy Investments Missile Missiles Parks Cooperation Understanding Intent Measures Production Tab
    Dashboard Reserve Ministerial""".split()
)
# "the U.S. Government", "the Trump Administration": the country or the person, already a mention.
GOVERNMENT_HEADS = frozenset("Government Administration administration government".split())
CORPORATE_SUFFIX = re.compile(
    r",?\s+(?:LLC|L\.L\.C\.|Inc\.|Ltd\.|Corp\.|Co\.|PLC|plc|N\.V\.|S\.A\.|AG|K\.K\.)(?!\w)"
)
LAW_HEADS = frozenset(
    "Act Acts Law Bill Code Order Orders Memo Memorandum Statute Regulation Regulations EIS".split()
)
# Lower-case heads that extend a name into a facility: "Sun deposit", "Kansai airport".
FAC_TAILS = frozenset("deposit airport mine".split())
GPE_HEADS = frozenset("Island Islands Province Prefecture County District Region Peninsula Basin".split())
CONNECTORS = frozenset("of for and the de von van der du da on in & -".split())
# Capitalised words that are never names on their own (calendar words, sentence openers, headings).
NON_NAMES = frozenset(
    """Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
    August September October November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Today
    Yesterday Tomorrow According Following During Under After Before Despite However Meanwhile Whereas
    Therefore Section Sec Article Chapter Part Paragraph Annex Fact Sheet Executive Order Orders Act
    I We You They He She It His Her Their Our My Its This That These Those There Here What When Where Why
    How Who Which Mr Mrs Ms Dr AI""".split()
)
LOCATIVE_BEFORE = frozenset(
    "in at to from into near inside outside toward towards via across around within visit visited visits "
    "visiting arrived arrive arrives reached leave left landed".split()
)
MOTION_WORDS = frozenset(
    "trip mission visit travel travelled traveled flew fly flies went go goes return returned head headed "
    "heading journey arrive arrived delegation back sets set moved move sent".split()
)
GOVERNMENT_AFTER = re.compile(
    r"\s*(?:’s|'s)?\s*(?:said|says|has|have|had|will|would|wants|wanted|urged|urges|is|was|must|should|"
    r"plans|planned|hopes|insists|agreed|announced|rejected|denied|accused|warned|told|to\s+[a-z]+)\b"
)
PLACE_AFTER = re.compile(
    r"\s*(?:’s|'s)?\s*(?:summit|meeting|talks|palace|airport|station|district|area|residents|office|"
    r"headquarters|visit|trip|[A-Z][a-z]+ Palace)\b",
    re.I,
)
FUNCTION_WORDS = frozenset(
    """A An The And But Or Nor So Yet If As While Although Though Since Because Even Also Now Then Still Only
    Both Neither Either Not No All Some Many Most Such Than With Without For From By To On In At Of Into
    Over Upon About Against Between Among Through Last Next Every Each Another Other""".split()
)
