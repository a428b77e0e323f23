"""Word lists for the rule-based pre-annotator (all lower case, lemmas unless said otherwise).

Where they come from: the reporting verbs were compiled by hand from the attribution cue verbs of the
PARC 3.0 corpus (Pareti 2016, "PARC 3.0: A Corpus of Attribution Relations", LREC) and the reporting-verb
list of Krestel, Bergler & Witte (2008, "Minding the Source: Automatic Tagging of Reported Speech in
Newspaper Articles", LREC), keeping verbs that introduce speech or a stated position in news prose.
Titles, role nouns and stance cue words are a small hand-made general-news vocabulary. Country aliases
are general knowledge (capitals and seats of government used for the state). Nothing here is about a
particular article.
"""

from __future__ import annotations

#: Verbs whose clausal complement (ccomp) or quotation is reported speech (lemmas).
REPORTING_VERBS: frozenset[str] = frozenset(
    """
    say tell state add argue claim announce assert declare explain insist maintain note observe remark
    report reply respond answer retort recall repeat reiterate stress emphasise emphasize underline
    highlight point warn caution threaten predict promise pledge vow suggest propose recommend urge
    deny dismiss reject refute admit acknowledge concede confirm agree disagree accuse allege charge
    complain criticise criticize condemn denounce blame praise welcome hope fear worry believe think
    estimate indicate reveal disclose signal write tweet post comment conclude describe call
    demand order appeal request instruct tell inform brief assure reassure counter contend mention
    express voice concur object protest lament acknowledge boast hint imply offer
    forecast project calculate
    """.split()
)

#: Reporting verbs that need a clausal complement or a quotation to count (too common otherwise).
WEAK_REPORTING_VERBS: frozenset[str] = frozenset(
    "think believe hope fear worry point call describe project calculate question wonder agree add".split()
)

#: Verbs taking ``(OBJECT) to VERB`` as the reported content (directives, offers, threats).
DIRECTIVE_VERBS: frozenset[str] = frozenset(
    "urge call appeal order instruct demand request press encourage implore invite offer threaten promise pledge vow propose "
    "warn".split()
)

#: Verbs whose noun-phrase object is the reported content ("denied the accusations").
NP_CONTENT_VERBS: frozenset[str] = frozenset(
    "deny reject dismiss stress reiterate emphasise emphasize highlight address condemn criticise criticize "
    "denounce note raise repeat voice welcome".split()
)

#: ``X accused Y of Z`` verbs: the content is ``Y of/for Z``.
ACCUSE_VERBS: frozenset[str] = frozenset("accuse blame condemn criticise criticize praise thank charge".split())

#: Particles that belong to a phrasal cue ("called on", "appealed to").
CUE_PARTICLES: dict[str, frozenset[str]] = {
    "call": frozenset({"on", "upon", "for"}),
    "appeal": frozenset({"to"}),
    "point": frozenset({"out"}),
}

#: Audience objects that belong to a "told X" cue ("told reporters", "told a press conference").
AUDIENCE_NOUNS: frozenset[str] = frozenset(
    "reporter journalist press conference briefing audience parliament lawmaker interviewer interview "
    "correspondent television radio newspaper channel agency outlet media crowd supporter".split()
)

#: Honorifics that stay part of a name mention ("Mr Blinken"); value: grammatical gender or None.
HONORIFICS: dict[str, str | None] = {
    "mr": "m", "mr.": "m", "sir": "m", "mrs": "f", "mrs.": "f", "ms": "f", "ms.": "f", "miss": "f",
    "madam": "f", "dr": None, "dr.": None, "prof": None, "prof.": None,
}

#: Words that make a noun phrase a role description of a person ("the foreign minister").
ROLE_NOUNS: frozenset[str] = frozenset(
    """
    secretary minister president premier chancellor spokesman spokeswoman spokesperson counterpart
    ambassador envoy diplomat official aide adviser advisor head chief chairman chairwoman chair
    director general commander senator representative governor mayor leader king queen prince
    deputy undersecretary negotiator analyst expert lawmaker mp host
    """.split()
)

#: Nouns of bodies that speak ("the ministry", "the department").
ORG_NOUNS: frozenset[str] = frozenset(
    "ministry department office government administration kremlin embassy agency alliance council "
    "commission committee army military white house cabinet parliament court union bank company side".split()
)

#: Bare plural sources spoken of collectively ("Experts say ...").
COLLECTIVE_SOURCES: frozenset[str] = frozenset(
    "expert analyst official observer critic diplomat source officer lawmaker economist media press".split()
)

PERSON_PRONOUNS: dict[str, str | None] = {"he": "m", "him": "m", "she": "f", "her": "f"}
GROUP_PRONOUNS: frozenset[str] = frozenset({"it", "they"})
FIRST_PERSON: frozenset[str] = frozenset({"i", "we", "me", "us", "my", "our"})

#: Seats of government and short forms used for the state (lower-cased surface forms).
PLACE_ALIASES: dict[str, str] = {
    "kyiv": "Ukraine", "kiev": "Ukraine", "ukraine": "Ukraine", "ukrainian": "Ukraine",
    "moscow": "Russia", "russia": "Russia", "russian federation": "Russia",
    "washington": "the United States", "us": "the United States", "u.s.": "the United States",
    "usa": "the United States", "united states": "the United States", "america": "the United States",
    "the us": "the United States", "the u.s.": "the United States", "the united states": "the United States",
    "london": "the United Kingdom", "uk": "the United Kingdom", "britain": "the United Kingdom",
    "beijing": "China", "paris": "France", "berlin": "Germany", "tokyo": "Japan", "ankara": "Turkey",
    "tehran": "Iran", "minsk": "Belarus", "warsaw": "Poland", "brussels": "the European Union",
}

#: Aliases of stance targets (lower case). A target not listed here matches its own words.
TARGET_ALIASES: dict[str, tuple[str, ...]] = {
    "russia": ("russia", "russian", "russians", "moscow", "kremlin", "putin"),
    "ukraine": ("ukraine", "ukrainian", "ukrainians", "kyiv", "kiev", "zelensky", "zelenskiy", "zelenskyy"),
    "nato": ("nato", "alliance", "the west", "western", "allies"),
    "the united states": ("the united states", "united states", "the us", "u.s.", "us", "washington", "america",
                          "american", "americans"),
}

#: Stance cue words (lemmas, lower case): negative or hostile, and positive or supportive.
NEGATIVE_WORDS: frozenset[str] = frozenset(
    """
    threat threaten aggression aggressive invade invasion attack war escalation escalate escalating
    consequence sanction punish destabilize destabilise intimidation coercion confrontation condemn
    accuse illegal annexation violation violate provoke provocation provocative propaganda blame
    danger dangerous unjustified failure fail refuse reject deny concern concerned irresponsibly
    irresponsible hostile disgrace enemy risk damage costly unacceptable lie disinformation nonsense
    crisis warn warning expansion bridgehead buildup build-up massing cost price disinformation
    underestimate spouting undermine
    """.split()
)
POSITIVE_WORDS: frozenset[str] = frozenset(
    """
    support welcome dialogue diplomacy cooperation co-operation constructive peace peaceful ready willing
    agree agreement fruitful respect sovereign freedom free legitimate security guarantee stability
    predictability deescalate de-escalate facilitate commit committed solution partner friendship
    productive positive good better best hope progress ally protect defend right
    """.split()
)
NEGATION_WORDS: frozenset[str] = frozenset({"not", "no", "never", "n't", "nor", "without", "neither"})

#: Markers of opinion/prediction/intention that make a sentence a poor check-worthy claim.
OPINION_WORDS: frozenset[str] = frozenset(
    "think believe feel hope should must may might could would seem appear likely unlikely probably "
    "perhaps maybe hopefully want wish let".split()
)
#: Entity labels that make a statement checkable.
CHECKABLE_ENTS: frozenset[str] = frozenset({"CARDINAL", "QUANTITY", "PERCENT", "MONEY", "DATE", "TIME", "ORDINAL"})
NAMED_ENTS: frozenset[str] = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW"})

#: Opening and closing double quotation marks (straight marks are decided by context).
OPEN_QUOTES: frozenset[str] = frozenset("“„«")
CLOSE_QUOTES: frozenset[str] = frozenset("”»")
STRAIGHT_QUOTES: frozenset[str] = frozenset('"')
