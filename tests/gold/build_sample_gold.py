"""Hand labels for the five sample articles (sample_data/*.txt) -> tests/gold/sample_gold.jsonl.

The labels are kept as readable data: quote snippets, cue text, speaker mention text, canonical
speaker name, kind, stance, and claim snippets. Character offsets are computed here by locating
the snippets in the article text; every located span is checked with ``text == doc[start:end]``.
See README.md in this folder for the guidelines and the decisions on hard cases.

Locating rules
- A quote/claim snippet must occur exactly once in the article, unless ``at=`` gives an anchor: a
  string that occurs exactly once and contains the snippet (the snippet's first occurrence inside
  the anchor is used).
- A cue or speaker given as a plain string is the whole-word occurrence nearest to its quote that
  does not overlap the quote; a ``(snippet, anchor)`` pair pins it the same way as ``at=``.
- Matching treats U+00A0 (no-break space) as a space; the stored text is always the document slice.

Run:  .venv/bin/python tests/gold/build_sample_gold.py   (rewrites sample_gold.jsonl; --check only compares)
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from annotator.scheme import Annotation, Claim, Quote, SpeakerMention, Span, Stance  # noqa: E402

SAMPLE_DIR = ROOT / "sample_data"
OUT = Path(__file__).resolve().parent / "sample_gold.jsonl"

# canonical names used in more than one place
BLINKEN = "Antony Blinken"
LAVROV = "Sergey Lavrov"
LAVROV_002 = "Sergei Lavrov"  # article 002 spells the first full mention "Sergei Lavrov"
PUTIN = "Vladimir Putin"
STOLTENBERG = "Jens Stoltenberg"
ZAKHAROVA = "Maria Zakharova"
KULEBA = "Dmitry Kuleba"
ZELENSKIY = "Volodymyr Zelenskiy"
KREMLIN = "the Kremlin"
STATE_DEPT = "the State Department"
RU_MFA = "the Russian Foreign Ministry"


def Q(text: str, kind: str, cue: str | tuple[str, str] | None, speaker: str | tuple[str, str] | None, name: str | None,
      stance: tuple[str, str] | None = None, at: str | None = None) -> dict[str, Any]:
    """One quote: snippet, kind, cue (None if none), speaker mention (None if none), canonical name,
    stance as (target, label) or None."""
    return {"text": text, "kind": kind, "cue": cue, "speaker": speaker, "name": name, "stance": stance, "at": at}


def C(text: str, speaker: str | None = None, at: str | None = None) -> dict[str, Any]:
    """One check-worthy claim; speaker = canonical name when the claim lies inside someone's quote."""
    return {"text": text, "speaker": speaker, "at": at}


AGAINST, FAVOR, NEUTRAL = "against", "favor", "neutral"

LABELS: dict[str, dict[str, list[dict]]] = {
    # ------------------------------------------------------------------------------------------
    "000_60b67c4313700902": {
        "quotes": [
            Q("I am deeply concerned about the evidence that Russia will soon invade Ukraine. "
              "We call on Russia to withdraw its troops,", "direct", "said", "Mr Blinken", BLINKEN, ("Russia", AGAINST)),
            Q("about 100,000 Russian troops are stationed at the eastern border of Ukraine", "indirect",
              "estimates", "Kyiv", "Ukraine", ("Russia", AGAINST)),
            Q("conflicts are resolved through politics.", "direct", "argued", "The US Secretary of State", BLINKEN, None),
            Q("Russia is failing to fulfill its international obligations, promises and agreements, also with regard "
              "to Ukraine", "indirect", "recalled", "He", BLINKEN, ("Russia", AGAINST)),
            Q("Russia is not planning an invasion,", "direct", "replied", "Mr Lavrov", LAVROV, ("Russia", FAVOR)),
            Q("the troops are in place in response to increased activity of NATO troops.", "direct",
              ("replied", "Mr Lavrov replied"), ("Mr Lavrov", "Mr Lavrov replied"), LAVROV, ("NATO", AGAINST)),
            Q("NATO not to expand further east", "indirect", "called on", "He", LAVROV, ("NATO", AGAINST)),
            Q("Moscow would soon present a proposal for a new European security pact", "indirect", "announced",
              ("He", "He called on NATO"), LAVROV, ("Russia", NEUTRAL)),
            Q("the face-to-face talks between Blinken and Lavrov would allow “wording down”", "mixed",
              "expressed the hope", "Ann Linde", "Ann Linde", None),
            Q("Dialogue is always better than attack,", "direct", "stated", "she", "Ann Linde", None),
            Q("this may be difficult due to Russia’s resistance", "indirect", "According to", "the media", "the media",
              ("Russia", NEUTRAL)),
            Q("the case of Ukraine and Blinken’s meeting with Lavrov dominated the OSCE Ministerial Council in Stockholm",
              "indirect", "indicate", "the Swedish press", "the Swedish press", None),
            Q("the two-day Ministerial Council in Stockholm is the culmination of Sweden’s presidency of the OSCE in 2021",
              "indirect", "According to", "the Swedish Ministry of Foreign Affairs",
              "the Swedish Ministry of Foreign Affairs", None),
        ],
        "claims": [
            C("Earlier, both politicians talked “face to face” in the lobby."),
            C("Earlier on Wednesday, the US Secretary of State spoke about the issue at the summit of NATO foreign "
              "ministers in Riga."),
            C("about 100,000 Russian troops are stationed at the eastern border of Ukraine", "Ukraine"),
            C("the troops are in place in response to increased activity of NATO troops", LAVROV),
            C("The head of Polish diplomacy, Zbigniew Rau, participated in the deliberations."),
            C("the two-day Ministerial Council in Stockholm is the culmination of Sweden’s presidency of the OSCE in 2021",
              "the Swedish Ministry of Foreign Affairs"),
            C("In 2022, Poland will hold the chairmanship of the organisation."),
        ],
    },
    # ------------------------------------------------------------------------------------------
    "001_2542be5c2290e7b5": {
        "quotes": [
            Q("There are areas where we have overlapping interests, and we should be able to work together if we can "
              "have some stability and predictability in the relationship. Russia’s actions and the threat of further "
              "aggression against Ukraine moves in exactly the opposite direction,", "direct", "said", "Blinken", BLINKEN,
              ("Russia", AGAINST)),
            Q("US accusations of aggression against Ukraine", "indirect", "denied", "Russia", "Russia", ("Russia", FAVOR),
              at="Russia has adamantly denied US accusations of aggression against Ukraine"),
            Q("concerns over NATO", "indirect", "stressing", "Lavrov", LAVROV, ("NATO", AGAINST)),
            Q("drawing Ukraine into the geopolitical games of the United States against the background of the deployment "
              "of NATO forces in the immediate vicinity of our borders will have the most serious consequences", "direct",
              "saying", ("Lavrov", "with Lavrov stressing"), LAVROV, ("NATO", AGAINST)),
            Q("Putin’s demand for “long-term security guarantees.”", "mixed", "repeating", ("Lavrov", "with Lavrov stressing"),
              LAVROV, ("NATO", AGAINST)),
            Q("It’s now on Russia to deescalate the current tensions by reversing the recent troop buildup, returning "
              "forces to normal peacetime positions, and refraining from further intimidation and attempts to destabilize "
              "Ukraine,", "direct", "stated", "Blinken", BLINKEN, ("Russia", AGAINST)),
            Q("NATO refused to consider proposals to deescalate tensions to prevent further dangerous incidents",
              "indirect", "said", "Lavrov", LAVROV, ("NATO", AGAINST)),
            Q("The alliance’s military infrastructure is being irresponsibly brought closer to Russia’s borders in "
              "Romania and Poland,", "direct", "said", "he", LAVROV, ("NATO", AGAINST)),
            Q("NATO against turning countries neighboring Russia, like Ukraine, into “bridgeheads of confrontation,”",
              "mixed", "warned", "Lavrov", LAVROV, ("NATO", AGAINST)),
            Q("he hoped Russian proposals for a new security pact would be considered", "indirect", "saying",
              ("Lavrov", "Lavrov warned"), LAVROV, ("Russia", FAVOR)),
            Q("the US could facilitate Russia’s concerns through diplomacy", "indirect", "said", "Blinken", BLINKEN,
              ("Russia", NEUTRAL)),
            Q("Russia to pull back its forces", "indirect", "urging", ("Blinken", "Blinken said that the US"), BLINKEN,
              ("Russia", AGAINST)),
            Q("The United States is willing to facilitate that but...if Russia decides to pursue confrontation there will "
              "be serious consequences.", "direct", ("urging", "urging Russia to pull back"),
              ("Blinken", "Blinken said that the US"), BLINKEN, ("Russia", AGAINST)),
            Q("Putin and Biden are expected to discuss a wide variety of other issues outside of Russia’s buildup in "
              "Ukraine, including the situation in Afghanistan and the Middle East region, the coronavirus pandemic, "
              "climate change, and the situation in the global oil market", "indirect", "According to", "Yuri Ushakov",
              "Yuri Ushakov", None),
        ],
        "claims": [
            C("On Thursday, December 2st, US Secretary of State Antony Blinken and Russian Foreign Minister Sergey Lavrov "
              "met in Stockholm, Sweden, amid concern over Russia’s military buildup on its Western border."),
            C("both sides agreed to continue the diplomatic dialogue, setting the groundwork for a meeting between US "
              "President Joe Biden and Russian President Vladimir Putin Tuesday, December 7th"),
            C("NATO refused to consider proposals to deescalate tensions to prevent further dangerous incidents", LAVROV),
            C("The alliance’s military infrastructure is being irresponsibly brought closer to Russia’s borders in "
              "Romania and Poland", LAVROV),
            C("The last time Biden and Putin met was during the Geneva summit in June, where the topic of Russia’s "
              "relationship with Ukraine was among the top issues discussed."),
            C("Biden and Putin will speak using a secure video link Tuesday evening to discuss Ukraine and other "
              "outstanding issues"),
        ],
    },
    # ------------------------------------------------------------------------------------------
    "002_a479c019d516b5dd": {
        "quotes": [
            Q("his Russian counterpart Foreign Minister Sergei Lavrov to choose diplomacy over coercion", "indirect",
              "appealed to", "Antony Blinken", BLINKEN, ("Russia", AGAINST)),
            Q("Russia would face “serious consequences” if it attacked Ukraine", "mixed", "repeated earlier warnings",
              ("Blinken", "Blinken came with"), BLINKEN, ("Russia", AGAINST)),
            Q("the US would impose “high-impact economic measures that we’ve refrained from using in the past” if Russia "
              "invaded its neighbour", "mixed", "warned", "Blinken", BLINKEN, ("Russia", AGAINST)),
            Q("to cut Russia off from the international SWIFT messaging service", "indirect", "threatened", "Washington",
              "the United States", ("Russia", AGAINST)),
            Q("Russia’s offer to start talks on a new security deal and to answer questions about Nato movements close to "
              "the Russian border was not even considered by the US side and removed from the agenda", "indirect",
              "told journalists", "Lavrov", LAVROV_002, ("the United States", AGAINST)),
            Q("the talk was “fruitful” and \"intense\" and that Russia expressed its concerns and “they were heard, "
              "and that is very important.”", "mixed", "went on to say", "The Russian foreign minister", LAVROV_002, None),
            Q("they also briefly discussed the situation in Afghanistan", "indirect", "added", "Lavrov", LAVROV_002, None),
            Q("“the echo of war can be heard” in Europe", "mixed", "saying", "Lavrov", LAVROV_002, None),
            Q("Nato of refusing to consider Russia’s legitimate security concerns", "indirect", "accused",
              ("Lavrov", "Lavrov set the cat"), LAVROV_002, ("NATO", AGAINST)),
            Q("the two had had constructive talks", "indirect", "said", "Blinken", BLINKEN, None),
            Q("Russia is taking a much tougher line since the start of this year", "indirect", "highlighted", "Lavrov",
              LAVROV_002, ("Russia", NEUTRAL)),
            Q("Russia would not tolerate any more sanctions “that cause economic damage” to it", "mixed", "said", "he",
              LAVROV_002, ("Russia", FAVOR)),
            Q("Russia was prepared to break off diplomatic relations with Europe if it continued to try to “punish” Russia",
              "mixed", "said", "Lavrov", LAVROV_002, ("Russia", FAVOR)),
            Q("Nato has been reinforcing its eastern partners and has been conducting large-scale exercises near Russia’s "
              "border, including flying nuclear capable bombers along its border as well as big naval exercises in the "
              "Black Sea", "indirect", "complained", "the Kremlin", KREMLIN, ("NATO", AGAINST)),
            Q("a “red line” for Russia", "mixed", "called", "Vladimir Putin", PUTIN, ("Ukraine", AGAINST)),
            Q("a build-up of Russian military assets on the Ukrainian border", "indirect", "claims", "the US",
              "the United States", ("Russia", AGAINST)),
            Q("it has no intention to attack anyone", "indirect", "said", ("the Kremlin", "the Kremlin as strenuously"),
              KREMLIN, ("Russia", FAVOR)),
            Q("The best way to avert the crisis is through diplomacy,", "direct", "told reporters", "Blinken", BLINKEN,
              None),
            Q("Moscow and Ukraine should fulfil their obligations under the 2014 Minsk peace process", "indirect",
              "repeated", "Blinken", BLINKEN, ("Russia", NEUTRAL)),
            Q("Moscow to restart direct talks as the “only possible way” to end the undeclared war between the two "
              "countries", "mixed", "called on", "Volodymyr Zelenskiy", ZELENSKIY, ("Russia", NEUTRAL)),
            Q("Kyiv would open direct talks with the rebel leadership in Donbas", "indirect", "said", "the Kremlin",
              KREMLIN, ("Ukraine", NEUTRAL)),
            Q("they are only proxies for Russia", "indirect", "saying", ("Kyiv", "that Kyiv has refused"), "Ukraine",
              ("Russia", AGAINST)),
            Q("Washington was willing to facilitate Russia and Ukraine carrying out the Minsk protocols", "indirect",
              "said", "Blinken", BLINKEN, ("Russia", NEUTRAL)),
            Q("if Russia decides to pursue confrontation, there will be serious consequences", "direct",
              ("said", "Blinken said, but"), ("Blinken", "Blinken said, but"), BLINKEN, ("Russia", AGAINST)),
            Q("Moscow was ready for dialogue with Kyiv", "indirect", "told reporters", "Lavrov", LAVROV_002,
              ("Ukraine", NEUTRAL)),
            Q("We, as President (Vladimir) Putin has stated, do not want any conflicts,", "direct", "said", "he",
              LAVROV_002, ("Russia", FAVOR)),
            Q("Should Moscow choose the path of military escalation, the Secretary (Blinken) made clear that the United "
              "States and our allies are prepared to impose significant costs,", "direct", "told Reuters", "Ned Price",
              "Ned Price", ("Russia", AGAINST)),
            Q("Blinken and Lavrov had a \"serious, sober and business-like\" meeting", "mixed", "said",
              "A senior State Department official", "a senior State Department official", None),
            Q("there had been a constructive exchange on implementing the existing Minsk peace agreements for eastern "
              "Ukraine as a possible pathway out of the crisis, and further intense diplomacy was likely in coming days",
              "indirect", "said", "The official", "a senior State Department official", None),
            Q("The threat on our Western frontier is really growing,", "direct", "said", "Putin", PUTIN,
              ("NATO", AGAINST)),
            Q("For us, this is more than serious.", "direct", ("said", "Putin said a day"), ("Putin", "Putin said a day"),
              PUTIN, ("NATO", AGAINST)),
            Q("an actual frontal assault on Ukraine by Russia remains very unlikely as the Ukrainian army has become a "
              "lot stronger in the last seven years, but mainly because it would be extremely costly for Russia in terms "
              "of casualties and even more difficult to hold the territory once captured", "indirect", "say", "Experts",
              "experts", ("Russia", NEUTRAL)),
            Q("to start talks with Nato on “legal guarantees” that would limit Nato’s actions and co-operation with Kyiv",
              "mixed", "offered", "Putin", PUTIN, ("NATO", AGAINST)),
            Q("to negotiate a new pan-European security deal with the West", "indirect", "offered", "Russia", "Russia",
              None),
            Q("Russian diplomats to work on getting these security commitments from Nato and the West", "indirect",
              "ordered", "Putin", PUTIN, ("NATO", NEUTRAL)),
            Q("talks are going nowhere", "indirect", "reports", "Lavrov", LAVROV_002, None),
            Q("The architecture of strategic stability is rapidly being destroyed, Nato refuses to constructively "
              "examine our proposals to de-escalate tensions and avoid dangerous incidents,", "direct", "said", "Lavrov",
              LAVROV_002, ("NATO", AGAINST)),
            Q("Ukraine had moved over 125,000 soldiers – half of its active servicemen – up to the disputed region of "
              "Donbas", "indirect", "said", "Maria Zakharova", ZAKHAROVA, ("Ukraine", AGAINST)),
            Q("According to some reports, the number of troops… in the conflict zone already reaches 125,000 people, and "
              "this, if anyone does not know, is half of the entire composition of the Armed Forces of Ukraine,",
              "direct", "said", "she", ZAKHAROVA, ("Ukraine", AGAINST)),
            Q("Ukrainian President Volodymyr Zelenskiy for submitting a bill to the national parliament that would allow "
              "units from foreign armed forces to enter the country as part of multinational exercises next year",
              "indirect", "condemned", "Zakharova", ZAKHAROVA, ("Ukraine", AGAINST)),
            Q("contradicts the Minsk agreements", "indirect", "says", "she", ZAKHAROVA, ("Ukraine", AGAINST)),
            Q("Ukraine is considering retaking Donbas by force", "indirect", "denied", "Ukraine’s foreign minister", KULEBA,
              ("Ukraine", FAVOR)),
            Q("all claims that his country’s troops could soon launch an offensive there", "indirect", "denied",
              "Dmitry Kuleba", KULEBA, ("Ukraine", FAVOR)),
            Q("Kyiv’s officials were “committed to finding a political and diplomatic solution to the conflict.”",
              "mixed", "said", "Dmitry Kuleba", KULEBA, ("Ukraine", FAVOR)),
            Q("the probability of a new conflict in eastern Ukraine remained “high” and that Moscow was concerned by "
              "\"aggressive\" rhetoric from Kyiv and an increase in what it called provocative "
              "actions along the line of contact between government forces and the pro-Russian separatists", "mixed",
              ("said", "the Kremlin said on the day"), ("the Kremlin", "the Kremlin said on the day"), KREMLIN,
              ("Ukraine", AGAINST)),
            Q("any intention of trying to take back the rebel regions by force", "indirect", "denied", "Kyiv", "Ukraine",
              ("Ukraine", FAVOR)),
            Q("Russia of spouting \"propaganda nonsense\" in order to provide cover for its own aggressive intentions",
              "mixed", "accusing", ("Kyiv", "as Kyiv has repeatedly"), "Ukraine", ("Russia", AGAINST)),
            Q("Ukraine’s top oligarch, Rinat Akhmetov, of being involved in a coup d'état plot that was supposed to "
              "happen on December 1", "indirect", "accused", "Zelenskiy", ZELENSKIY, None),
            Q("more US diplomats were being asked to leave Russia", "indirect", "announced", None, None,
              ("the United States", AGAINST)),
            Q("not to cross Russia’s security “red line” by stationing Nato military infrastructure in Ukraine", "mixed",
              "warned", "Putin", PUTIN, ("NATO", AGAINST)),
            Q("will force his country to respond by taking “countermeasures,”", "mixed", "said", "he", PUTIN,
              ("NATO", AGAINST)),
            Q("Russia could not claim any “spheres of influence”", "mixed", "told a press conference", "Jens Stoltenberg",
              STOLTENBERG, ("Russia", AGAINST)),
            Q("Ukraine is a sovereign state free to make its own choice", "indirect", "told a press conference",
              "Jens Stoltenberg", STOLTENBERG, ("Ukraine", FAVOR)),
            Q("he welcomes Ukraine desire to eventually join Nato", "indirect", "saying", "He", STOLTENBERG,
              ("Ukraine", FAVOR)),
            Q("Any future Russian aggression against Ukraine would come at a high price and have serious political and "
              "economic consequences for Russia,", "direct", "said", "Stoltenberg", STOLTENBERG, ("Russia", AGAINST)),
            Q("The situation in and around Ukraine remains fluid and unpredictable,", "direct", "said", "Stoltenberg",
              STOLTENBERG, ("Ukraine", NEUTRAL)),
            Q("There is no certainty about Russia’s intentions. We see a significant and unusual concentration of forces, "
              "which is unjustified and unexplained, and accompanied by heightened rhetoric and disinformation. And we "
              "know that Russia has used force before against Ukraine and other neighbours.", "direct",
              ("said", "Stoltenberg said. “There"), ("Stoltenberg", "Stoltenberg said. “There"), STOLTENBERG,
              ("Russia", AGAINST)),
            Q("Nato would take no military action, but would certainly respond with economic sanctions", "indirect", "suggested", "Stoltenberg",
              STOLTENBERG, ("Russia", AGAINST)),
            Q("Nato is a platform to make decisions but also to consult and co-ordinate efforts by Nato allied "
              "countries,", "direct", "said", "he", STOLTENBERG, ("NATO", NEUTRAL)),
            Q("So for instance, on economic sanctions, political reactions, even though Nato doesn’t necessarily make the "
              "decisions to impose sanctions, that’s for individual allies to do, and for the European Union … the "
              "political discussion we have here is actually shaping the decisions we take as individual allies.",
              "direct", ("said", "he said. “So"), ("he", "he said. “So"), STOLTENBERG, ("NATO", NEUTRAL)),
            Q("Therefore also economic sanctions and political reactions is part of what we have discussed today, also "
              "with the United States,", "direct", "said", "Stoltenberg", STOLTENBERG, ("Russia", AGAINST)),
            Q("We represent 50% of the world’s GDP and of course it matters when Nato allies discuss also the use of "
              "economic sanctions against the behaviour of Russia.", "direct",
              ("said", "Stoltenberg said. “We represent"), ("Stoltenberg", "Stoltenberg said. “We represent"),
              STOLTENBERG, ("Russia", AGAINST)),
            Q("We have seen our resolve and our willingness and our ability to maintain, sustain such economic sanctions "
              "when needed. I think that Russia actually underestimated the resolve of Nato allies to impose sanctions "
              "and sustain sanctions after the illegal annexation of Crimea in 2014,", "direct", "concluded",
              "Stoltenberg", STOLTENBERG, ("Russia", AGAINST)),
        ],
        "claims": [
            C("the meeting broke up after only 30 mins"),
            C("Washington has also threatened in the past to cut Russia off from the international SWIFT messaging "
              "service"),
            C("US Senate Foreign Relations Chairman Bob Menendez introduced possible harsh new sanctions on Russia to a "
              "defence spending bill that is about to go before the House that would provide a new and easier mechanism "
              "for the US president to slap Russia with sanctions should fighting break out."),
            C("Russia’s offer to start talks on a new security deal and to answer questions about Nato movements close to "
              "the Russian border was not even considered by the US side and removed from the agenda", LAVROV_002),
            C("they also briefly discussed the situation in Afghanistan", LAVROV_002),
            C("in October actually broke off diplomatic relations with Nato completely"),
            C("Nato has been reinforcing its eastern partners and has been conducting large-scale exercises near Russia’s "
              "border, including flying nuclear capable bombers along its border as well as big naval exercises in the "
              "Black Sea", KREMLIN),
            C("a build-up of Russian military assets on the Ukrainian border", "the United States"),
            C("The two men talked for about 30 minutes on the fringes of a meeting of the Organisation for Security and "
              "Cooperation in Europe (OSCE) in Stockholm, in the highest-level contact between the two sides since a "
              "summit between Putin and US President Joe Biden in June."),
            C("the Ukrainian army has become a lot stronger in the last seven years", "experts"),
            C("Russia already offered to negotiate a new pan-European security deal with the West in 2008, but the EU "
              "rejected it out of hand."),
            C("Nato refuses to constructively examine our proposals to de-escalate tensions and avoid dangerous "
              "incidents", LAVROV_002),
            C("The tensions began with a Washington Post report at the end of October citing the US intelligence "
              "services"),
            C("Ukraine had moved over 125,000 soldiers – half of its active servicemen – up to the disputed region of "
              "Donbas", ZAKHAROVA),
            C("the number of troops… in the conflict zone already reaches 125,000 people, and this, if anyone does not "
              "know, is half of the entire composition of the Armed Forces of Ukraine", ZAKHAROVA),
            C("submitting a bill to the national parliament that would allow units from foreign armed forces to enter the "
              "country as part of multinational exercises next year", ZAKHAROVA),
            C("Ukraine’s top oligarch, Rinat Akhmetov, of being involved in a coup d'état plot that was supposed to happen on December 1",
              ZELENSKIY),
            C("it was announced on December 1, a day before the meeting, that more US diplomats were being asked to leave "
              "Russia following a round of tit-for-tat expulsions earlier this year"),
            C("Blinken arrived in Stockholm from Riga, Latvia, where the Nato allies were meeting"),
            C("We see a significant and unusual concentration of forces, which is unjustified and unexplained, and "
              "accompanied by heightened rhetoric and disinformation.", STOLTENBERG),
            C("Russia has used force before against Ukraine and other neighbours", STOLTENBERG),
            C("We represent 50% of the world’s GDP", STOLTENBERG),
        ],
    },
    # ------------------------------------------------------------------------------------------
    "003_b667379614258ab9": {
        "quotes": [
            Q("Let’s talk about escalation. Let’s talk about the introduction of North Korean forces into Europe. Let’s "
              "talk about the use of intermediate-range ballistic missiles to attack Ukraine. Let’s talk about lowering "
              "the threshold for the use of nuclear weapons by Russia. Let’s talk about the ongoing assault on Ukraine’s "
              "energy infrastructure, including its nuclear transmission grid, which poses a grave threat to every single "
              "country in this room. That is escalation.", "direct", "said", "He", BLINKEN, ("Russia", AGAINST)),
            Q("the West of provoking tensions and escalating the war in Ukraine", "indirect", "accuse", "Sergey Lavrov",
              LAVROV, ("NATO", AGAINST)),
            Q("After the Afghan disgrace, there was a need for a new common enemy. The result is the reincarnation of the "
              "Cold War, but now with the far greater risk of its escalation into the hot phase.", "direct", "said", ("He", "He said, “After"),
              LAVROV, ("the United States", AGAINST)),
            Q("the United States’ actions were motivated by a desire to “return NATO to the political spotlight”",
              "mixed", "claimed", "He", LAVROV, ("the United States", AGAINST)),
            Q("Western support for Ukraine was fueling risks of a larger war", "indirect", "said",
              ("He", "He claimed"), LAVROV, ("NATO", AGAINST)),
            Q("it sees no path for negotiations", "indirect", "signaled", "Russian officials", "Russian officials",
              ("Ukraine", AGAINST)),
            Q("Ukraine as unserious for diplomacy", "indirect", "portraying", "Russian officials", "Russian officials",
              ("Ukraine", AGAINST)),
        ],
        "claims": [
            C("US Secretary of State Antony Blinken and Russian Foreign Minister Sergey Lavrov traded accusations over the "
              "war in Ukraine conflict during a ministerial meeting in Malta."),
            C("The meeting brought together top diplomats from OSCE member states, including US Secretary of State "
              "Antony Blinken, Russian Foreign Minister Sergey Lavrov, and Ukrainian Foreign Minister Andrii Sybiha, "
              "alongside representatives from European nations such as Poland and Estonia."),
            C("It marked Lavrov’s first visit to an EU member country since Russia’s full-scale invasion of Ukraine in "
              "February 2022."),
            C("their last face-to-face interaction occurred earlier in 2023 during the G20 summit in India"),
            C("the introduction of North Korean forces into Europe", BLINKEN),
            C("the use of intermediate-range ballistic missiles to attack Ukraine", BLINKEN),
            C("lowering the threshold for the use of nuclear weapons by Russia", BLINKEN),
            C("the ongoing assault on Ukraine’s energy infrastructure, including its nuclear transmission grid", BLINKEN),
            C("This all comes as the war in Ukraine grinds on with Russian forces making small but strategically "
              "significant territorial advances in the eastern and southern regions of the country."),
        ],
    },
    # ------------------------------------------------------------------------------------------
    "004_5e301fe25cad7829": {
        "quotes": [
            Q("the need to “restrain and contain” Iran", "mixed", "reportedly agree", None, None, None),
            Q("Moscow over the war there", "indirect", "insults and condemns", "the State Department", STATE_DEPT,
              ("Russia", AGAINST), at="the State Department insults and condemns Moscow over the war there"),
            Q("Russia’s aggression towards Ukraine, including its military movements near Ukraine’s borders", "indirect",
              "addressed", "Secretary Blinken", BLINKEN, ("Russia", AGAINST)),
            Q("Russia to pull back its forces and return to a peacetime posture and to adhere to the Minsk agreements and "
              "a ceasefire in the Donbas", "indirect", "reiterated the United States’ call", ("The Secretary", "The Secretary reiterated"), BLINKEN,
              ("Russia", AGAINST)),
            Q("the importance of continued coordination on issues in the bilateral relationship and where interests are "
              "aligned, including when it comes to blocking Iran’s pathways to a nuclear weapon", "indirect", "noted",
              None, None, None),
            Q("Lavrov, Blinken discuss agenda ahead of upcoming contacts at highest level", "indirect", None, "Ministry",
              RU_MFA, None),
            Q("During a conversation, substantive exchange of opinions on the broad international agenda, as well as "
              "relevant issues of Russian-American relations in the context of the planned contacts at the highest level "
              "were touched upon. The Russian side put emphasis on establishing a serious dialogue in accordance with the "
              "agreements of Russian and US Presidents, Vladimir Putin and Joe Biden respectively, which were achieved in "
              "the June Summit in Geneva based on the principles of equality and mutual respect of interests,", "direct",
              "said", "the ministry", RU_MFA, ("the United States", NEUTRAL)),
            Q("at their second face-to-face meeting following Blinken’s appointment as US Secretary of State, the sides "
              "paid particular attention to the Ukrainian conflict", "indirect", "added", "The ministry", RU_MFA,
              ("Ukraine", NEUTRAL)),
            Q("West would regret missing opportunity to agree security guarantees with Moscow", "indirect", None,
              "diplomat", "Sergey Ryabkov", ("NATO", AGAINST)),
            Q("The West will have regrets if it once again misses the opportunity to negotiate with Moscow over guarantees "
              "to halt NATO’s expansion eastward", "indirect", "said", "Sergey Ryabkov", "Sergey Ryabkov",
              ("NATO", AGAINST)),
        ],
        "claims": [
            C("Washington arms the Kiev regime for its new offensive in the Donbass"),
            C("Secretary of State Antony J. Blinken met today with Russian Foreign Minister Sergey Lavrov in Stockholm on "
              "the margins of the OSCE Ministerial."),
            C("US Secretary of State Antony Blinken and Russian Foreign Minister Sergey Lavrov discussed the "
              "normalization of diplomatic missions of both countries, the Ukrainian settlement"),
            C("the agreements of Russian and US Presidents, Vladimir Putin and Joe Biden respectively, which were "
              "achieved in the June Summit in Geneva", RU_MFA),
            C("at their second face-to-face meeting following Blinken’s appointment as US Secretary of State, the sides "
              "paid particular attention to the Ukrainian conflict", RU_MFA),
        ],
    },
}


# ---------------------------------------------------------------------------------------------- locating


def _norm(s: str) -> str:
    """Same length as s: a no-break space matches a space."""
    return s.replace("\u00a0", " ")


class Locator:
    def __init__(self, doc_id: str, doc: str) -> None:
        self.doc_id, self.doc, self.norm = doc_id, doc, _norm(doc)

    def _all(self, snippet: str, lo: int = 0, hi: int | None = None, whole_word: bool = False) -> list[int]:
        hay = self.norm[: len(self.norm) if hi is None else hi]
        pat = re.escape(_norm(snippet))
        if whole_word:
            pat = r"(?<!\w)" + pat + r"(?!\w)"
        return [m.start() for m in re.finditer(pat, hay) if m.start() >= lo]

    def span(self, snippet: str, at: str | None = None, whole_word: bool = False) -> tuple[int, int]:
        lo, hi = 0, None
        if at is not None:
            anchors = self._all(at)
            assert len(anchors) == 1, f"{self.doc_id}: anchor {at!r} occurs {len(anchors)} times"
            lo, hi = anchors[0], anchors[0] + len(at)
        hits = self._all(snippet, lo, hi, whole_word)
        if at is None:
            assert len(hits) == 1, f"{self.doc_id}: {snippet!r} occurs {len(hits)} times; give an anchor"
        assert hits, f"{self.doc_id}: {snippet!r} not found" + (f" in anchor {at!r}" if at else "")
        start = hits[0]
        return self.check(snippet, start, start + len(snippet))

    def near(self, spec: str | tuple[str, str], q_start: int, q_end: int) -> tuple[int, int]:
        """The occurrence of a cue/speaker nearest to the quote, outside it (or pinned by an anchor)."""
        if isinstance(spec, tuple):
            return self.span(spec[0], at=spec[1], whole_word=True)
        hits = [h for h in self._all(spec, whole_word=True) if h + len(spec) <= q_start or h >= q_end]
        assert hits, f"{self.doc_id}: {spec!r} not found outside the quote"
        dist = lambda h: q_start - (h + len(spec)) if h < q_start else h - q_end  # noqa: E731
        start = min(hits, key=lambda h: (dist(h), h))
        return self.check(spec, start, start + len(spec))

    def check(self, snippet: str, start: int, end: int) -> tuple[int, int]:
        assert _norm(self.doc[start:end]) == _norm(snippet), (self.doc_id, snippet, self.doc[start:end])
        return start, end


def with_complementizer(doc: str, start: int) -> int:
    """Reported content keeps its complementizer ("said that X" -> "that X"), as PolNeAR does."""
    m = re.search(r"\b(?:that|whether)\s+$", doc[:start], re.IGNORECASE)
    return m.start() if m else start


def build(doc_id: str, doc: str, labels: dict[str, list[dict]]) -> Annotation:
    loc = Locator(doc_id, doc)
    quotes = []
    for q in labels["quotes"]:
        s, e = loc.span(q["text"], q["at"])
        if q["kind"] != "direct":
            s = with_complementizer(doc, s)
        cue = None
        if q["cue"] is not None:
            cs, ce = loc.near(q["cue"], s, e)
            cue = Span(cs, ce, doc[cs:ce])
        speaker = None
        if q["speaker"] is not None:
            ss, se = loc.near(q["speaker"], s, e)
            speaker = SpeakerMention(ss, se, doc[ss:se], q["name"])
        stance = Stance(*q["stance"]) if q["stance"] else None
        quotes.append(Quote("", s, e, doc[s:e], q["kind"], cue, speaker, stance))
    quotes.sort(key=lambda x: (x.start, x.end))
    quotes = [Quote(f"q{i + 1}", q.start, q.end, q.text, q.kind, q.cue, q.speaker, q.stance)
              for i, q in enumerate(quotes)]
    claims = []
    for c in labels["claims"]:
        s, e = loc.span(c["text"], c["at"])
        claims.append(Claim("", s, e, doc[s:e], True, c["speaker"]))
    claims.sort(key=lambda x: (x.start, x.end))
    claims = [Claim(f"c{i + 1}", c.start, c.end, c.text, True, c.speaker) for i, c in enumerate(claims)]
    for layer in (quotes, claims):
        for a, b in zip(layer, layer[1:]):
            assert a.end <= b.start, f"{doc_id}: overlapping spans {a.text!r} / {b.text!r}"
    return Annotation(doc_id, doc, "gold", "done", {"source": f"{doc_id}.txt"}, tuple(quotes), tuple(claims))


def render() -> str:
    files = sorted(SAMPLE_DIR.glob("*.txt"))
    assert [f.stem for f in files] == sorted(LABELS), "labels and sample files differ"
    lines = []
    for f in files:
        with open(f, encoding="utf-8", newline="") as fh:
            doc = fh.read()
        lines.append(json.dumps(build(f.stem, doc, LABELS[f.stem]).to_dict(), ensure_ascii=False))
    return "".join(line + "\n" for line in lines)


def main(argv: list[str]) -> int:
    out = render()
    if "--check" in argv:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == out
        print("up to date" if same else f"{OUT} differs from the labels")
        return 0 if same else 1
    with open(OUT, "w", encoding="utf-8", newline="") as fh:
        fh.write(out)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
