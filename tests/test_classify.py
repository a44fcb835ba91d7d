"""The keyword rules: what is an attack or strike report, and on which sentence the rules say so."""

from __future__ import annotations

import json
import tomllib
from datetime import date

import pytest
from builders import CYBERATTACK, FOOTBALL, HEART_ATTACK, HOUTHI_SHIP, JORDAN_DRONE, KH_STRIKES
from conftest import REPO, SHARED, needs_shared

from monitor.classify import classify, compile_rules
from monitor.config import load_rules
from monitor.errors import ConfigError

RULES, TERMS = load_rules(REPO / "config" / "monitor.toml")


def categories(title: str, text: str, published: str = "2024-02-05") -> tuple[str, ...]:
    return classify(title, text, date.fromisoformat(published), RULES, TERMS).categories


@pytest.mark.parametrize("story", [HEART_ATTACK, CYBERATTACK, FOOTBALL, HOUTHI_SHIP], ids=lambda s: s.slug)
def test_look_alikes_are_not_reports(story):
    assert categories(story.title, story.text) == ()


@pytest.mark.parametrize(
    "text",
    [
        "Al-Shabaab fighters attacked a base used by U.S. troops in Somalia on Monday, the command said.",
        "Taliban gunmen attacked the perimeter of Bagram, the largest U.S. base in Afghanistan.",
        "Kataib Hezbollah threatened to attack U.S. bases in Iraq if Washington joined the war.",
        "An Israeli strike on a building in Damascus killed two members of the Revolutionary Guards.",
        "U.S. forces killed 12 Islamic State militants in airstrikes in the Syrian desert, CENTCOM said.",
        "Islamic State gunmen killed three Iraqi soldiers in an attack on a checkpoint in Kirkuk.",
        "Turkish drones struck PKK positions in northern Iraq after an attack on a Turkish base.",
        "U.S. officials are weighing strikes on Iran-backed militias in Iraq.",
        "Three U.S. service members were injured in a vehicle rollover accident in Syria; Iran-backed militias operate nearby.",
        "The U.S. denied carrying out the strike on an Iran-backed militia base near Baghdad.",
        "Iran launched drones and missiles at Israel; U.S. forces helped intercept them. Iran-backed groups in Iraq stayed out.",
        "Russian jets struck a camp near the al-Tanf garrison, which hosts U.S. troops. Iran-backed militias operate in Syria.",
        "Turkish artillery shelled villages near a base used by U.S. forces in Syria. Iran-backed militias were not involved.",
    ],
)
def test_attacks_and_strikes_by_others_or_not_carried_out_are_not_reports(text):
    assert categories("", text) == ()


def test_an_attack_on_us_forces_is_reported_with_its_rule_and_sentence():
    c = classify(JORDAN_DRONE.title, JORDAN_DRONE.text, JORDAN_DRONE.published.date(), RULES, TERMS)

    assert c.categories == ("attack",)
    (match,) = c.matches
    assert match.rule == "attack-on-us-forces"
    assert match.sentence == JORDAN_DRONE.paragraphs[0]


def test_a_us_strike_on_a_militia_is_a_strike():
    c = classify(KH_STRIKES.title, KH_STRIKES.text, KH_STRIKES.published.date(), RULES, TERMS)

    assert "strike" in c.categories
    assert any(m.category == "strike" and "Kataib Hezbollah" in m.sentence for m in c.matches)


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Rockets fired by pro-Iran militiamen landed inside Ain al-Asad air base, which hosts U.S. troops, on Tuesday.",
            ("attack",),
        ),
        ("American personnel at a base in Syria came under drone attack from an Iraqi militia on Friday.", ("attack",)),
        (
            "The United States launched retaliatory airstrikes on IRGC-affiliated facilities in eastern Syria.",
            ("strike",),
        ),
        (
            "Warehouses used by Iran-aligned militias near Al Qaim were destroyed in a strike by U.S. aircraft.",
            ("strike",),
        ),
        ("U.S. troops at the al-Tanf garrison repelled a drone attack on Tuesday.", ("attack",)),
        ("American forces shot down two drones approaching a base in eastern Syria.", ("attack",)),
        ("An attack on a U.S. patrol near al-Hasakah wounded two soldiers.", ("attack",)),
        ("Rockets slammed into the perimeter of the U.S. Embassy in Baghdad's Green Zone.", ("attack",)),
        (
            "Explosive-laden drones targeted Harir air base in Erbil, where U.S.-led coalition troops are stationed.",
            ("attack",),
        ),
        ("F-15E jets hit a weapons storage facility linked to Iran in eastern Syria.", ("strike",)),
        ("U.S. airstrikes killed several fighters of the Popular Mobilization Forces near al-Qaim.", ("strike",)),
        ("A U.S. drone strike in Baghdad killed a senior commander of Harakat al-Nujaba.", ("strike",)),
        (
            "The 2020 U.S. strike that killed Qassem Soleimani at Baghdad airport still shapes the militias' thinking.",
            ("strike",),
        ),
    ],
)
def test_reports_worded_other_ways(text, expected):
    assert categories("", text + " Officials blamed Iran-backed militias in Iraq and Syria.") == expected


def test_a_reported_total_alone_makes_an_attack_report():
    c = classify(
        "",
        "Iran-backed militias have attacked U.S. forces 150 times since Oct. 17, officials said.",
        date(2024, 1, 20),
        RULES,
        TERMS,
    )

    assert c.categories == ("attack",)
    assert c.tallies[0].count == 150


def test_a_rule_naming_an_unknown_term_list_is_a_config_error():
    raw = {"terms": {"a": ["x"]}, "rule": [{"name": "r", "category": "attack", "sequence": ["a", "b"]}]}

    with pytest.raises(ConfigError) as e:
        compile_rules(raw, "rules.toml")

    assert e.value.key == "rule[0].sequence" and "'b'" in str(e.value)


def attack_rule(first: list[str], then: list[str]):
    """Rules with one attack rule: a term of the first list, then one of the second, in a sentence."""
    raw = {
        "terms": {"first": first, "then": then},
        "rule": [{"name": "r", "category": "attack", "sequence": ["first", "then"]}],
    }
    return compile_rules(raw, "rules.toml")


def test_terms_ignore_case_and_hyphens_but_us_must_be_upper_case():
    rules = attack_rule(["US forces"], ["attacked"])

    assert classify("", "U.S. forces were attacked.", None, rules).categories == ("attack",)
    assert classify("", "US-forces ATTACKED.", None, rules).categories == ("attack",)
    assert classify("", "Join us forces of good: they attacked.", None, rules).categories == ()


def test_terms_ignore_accents_and_other_scripts_keep_every_sentence_in_place():
    rules = attack_rule(["Qaim"], ["shelled"])
    # A dotted capital I lower-cases to two characters, and the Arabic name is letters of no Latin base.
    text = "İstanbul talks ended (القائم). Rockets hit a depot.\nMilitias near al-Qaïm shelled the base at dawn."

    c = classify("", text, None, rules)

    assert c.categories == ("attack",)
    assert c.matches[0].sentence == "Militias near al-Qaïm shelled the base at dawn."


def test_apostrophes_join_a_word_and_quotes_around_it_do_not():
    rules = attack_rule(["Kata'ib Hezbollah"], ["'attacked'"])

    assert classify("", "Kata'ib Hezbollah 'attacked' the base.", None, rules).categories == ("attack",)
    assert classify("", "'Kata'ib Hezbollah' ''attacked'' the base.", None, rules).categories == ("attack",)
    assert classify("", "Kata ib Hezbollah attacked the base.", None, rules).categories == ()


@needs_shared()
def test_the_five_seed_articles_are_classified_right():
    rows = [json.loads(line) for line in (SHARED / "corpus" / "seeds.jsonl").open()]
    assert len(rows) == 5
    for row in rows:
        c = classify(row["title"], row["text"], date.fromisoformat(row["published"]), RULES, TERMS)
        assert ("attack" in c.categories) == row["expect"]["attack"], row["id"]
        assert ("strike" in c.categories) == row["expect"]["strike"], row["id"]
        got = sorted(json.dumps(t.as_label(), sort_keys=True) for t in c.tallies)
        want = sorted(json.dumps(t, sort_keys=True) for t in row["expect"]["tallies"])
        assert got == want, row["id"]


def test_exclude_near_voids_a_match_only_close_to_it():
    raw = {
        "terms": {"who": ["sappers"], "what": ["blew up", "blown up"], "hedge": ["might"]},
        "rule": [
            {"name": "r", "category": "strike", "sequence": ["who", "what"], "exclude_near": ["hedge"], "near": 2}
        ],
    }
    rules = compile_rules(raw, "rules.toml")

    assert classify(
        "", "Sappers blew up the bridge, and officials said more crossings might follow.", None, rules
    ).categories == ("strike",)
    assert (
        classify("", "Sappers might blow up the bridge; sappers might have blown up another.", None, rules).categories
        == ()
    )
    assert classify("", "Officials say it might be sappers who blew up the bridge.", None, rules).categories == ()
    assert classify("", "It might be true that the sappers blew up the bridge.", None, rules).categories == ("strike",)
    with pytest.raises(ConfigError) as e:
        compile_rules({**raw, "rule": [{**raw["rule"][0], "near": -1}]}, "rules.toml")
    assert e.value.key == "rule[0].near"


# Sentences below are the tests' own wording; each is followed by one neutral sentence that sets the
# context the rules need (proxies named, the theatre named) and fires no rule itself.
CONTEXT = " Officials blamed Iran-backed militias in Iraq and Syria."


@pytest.mark.parametrize(
    "text",
    [
        "Iran fired ballistic missiles at a base hosting U.S. troops near Erbil overnight.",
        "Iran's Revolutionary Guards said they launched missiles at targets in Erbil, close to a base used by U.S. forces.",
        "Tehran retaliated by firing missiles at two Iraqi bases that house American soldiers.",
        "Missiles landed near Erbil airport, but no U.S. personnel were hurt and no American facilities were hit.",
        "A Houthi missile was fired at a U.S. destroyer in the Red Sea on Tuesday.",
        "A missile was launched at a U.S. warship sailing off the coast.",
        "Islamic State gunmen ambushed a patrol of U.S. troops in the Syrian desert.",
        "Iraqi militias said they had launched drones at the Israeli port of Eilat.",
    ],
)
def test_state_strikes_and_attacks_elsewhere_are_not_proxy_attacks(text):
    assert "attack" not in categories("", text + CONTEXT)


def test_an_article_with_a_state_strike_and_a_proxy_attack_is_an_attack():
    text = (
        "Iran's Revolutionary Guards fired missiles at Erbil on Monday. Hours later a drone launched by an "
        "Iran-backed militia struck the airport base hosting U.S. forces near the city."
    )

    assert "attack" in categories("", text)


@pytest.mark.parametrize(
    "text",
    [
        "A coalition jet destroyed the launcher minutes after the rockets were fired.",
        "U.S. jets destroyed four ammunition depots overnight, and a general warned that the threat remains high.",
        "The United States carried out a self-defense strike on fighters who were getting ready to launch drones.",
        "Washington has hit back twice since the rocket fire began, Pentagon officials noted.",
        "After the rocket attack, the U.S. responded with strikes on two compounds in the west of the country.",
        "U.S. retaliatory strikes on Thursday flattened two warehouses, and officials warned more could follow.",
        "Crowds in Baghdad marked the anniversary of the assassination of Qassem Soleimani.",
        "Soleimani was killed by an American drone near Baghdad airport in January 2020.",
        "The United States has launched retaliatory missions against the groups, and Israel has separately hit sites in Lebanon.",
    ],
)
def test_strikes_carried_out_and_their_recaps_are_strikes(text):
    assert "strike" in categories("", text + CONTEXT)


@pytest.mark.parametrize(
    "text",
    [
        "The White House has decided on a response to the drone attack, an official said.",
        "Biden vowed that the U.S. would strike back at the groups responsible.",
        "The U.S. could launch strikes on Iran-backed militias within days, officials said.",
        "U.S. forces conducted airstrikes on Houthi radar sites in Yemen overnight.",
        "CENTCOM said U.S. aircraft destroyed an ISIS weapons cache in the Syrian desert.",
        "The U.S. did not carry out the strike on the Kataib Hezbollah compound, the Pentagon said.",
        "Mourners gathered at Soleimani's tomb in Kerman, where twin explosions killed dozens of people.",
        "Israeli jets struck a weapons depot of an Iran-backed militia near Damascus, U.S. officials said.",
        "Militia fighters targeted the base again, the first attack on U.S. forces in weeks, after the Iran-backed groups said they would pause.",
    ],
)
def test_promises_and_strikes_by_others_or_elsewhere_are_not_strikes(text):
    assert "strike" not in categories("", text + CONTEXT)


@pytest.mark.parametrize(
    "text",
    [
        "Supporters of the militia stormed the U.S. Embassy compound in Baghdad and set its gate on fire.",
        "The Pentagon has counted 90 strikes against its forces in the two countries since the autumn.",
    ],
)
def test_attacks_worded_as_storming_or_as_strikes_against_us_forces(text):
    assert "attack" in categories("", text + CONTEXT)


@pytest.mark.parametrize(
    "text",
    [
        "Protesters stormed the provincial council building in Basra on Sunday.",
        "Israel said its forces had been struck by a drone launched from Iraq.",
    ],
)
def test_storming_or_strikes_against_others_are_not_attacks(text):
    assert "attack" not in categories("", text + CONTEXT)


def test_us_troops_killed_by_proxies_is_no_us_strike():
    text = (
        "Two U.S. soldiers were killed when Iran-backed fighters hit their outpost with a drone near the Syrian border."
    )

    assert categories("", text + CONTEXT) == ("attack",)
    assert "strike" in categories("", "U.S. jets killed four Iran-backed fighters near the Syrian border." + CONTEXT)


@pytest.mark.parametrize(
    "text, is_strike",
    [
        ("Last winter American bombers pounded militia compounds along the Euphrates in retaliation.", True),
        ("The killing of Abu Mahdi al-Muhandis in the same convoy deepened the factions' anger.", True),
        ("The Pentagon is expected to announce retaliatory strikes within days.", False),
        ("Officials said U.S. strikes on the groups were likely soon.", False),
    ],
)
def test_more_strike_wordings_and_expectations(text, is_strike):
    assert ("strike" in categories("", text + CONTEXT)) is is_strike


@pytest.mark.parametrize(
    "text, is_strike",
    [
        # A gunship answering fire, said with "striking".
        ("A U.S. helicopter on patrol fired back, striking a pickup truck carrying Iran-aligned fighters.", True),
        # Bombs dropped, not "struck".
        (
            "Four American F-16s dropped bombs on a depot near Al Bukamal used by the Revolutionary Guard, CENTCOM said.",
            True,
        ),
        # A long list of targets between the strike and whose they were: still one strike sentence.
        (
            "The U.S. Air Force struck 40 sites across two provinces overnight, among them headquarters buildings, "
            "fuel trucks, radar posts, drone workshops and several rocket launch pads run by Kataib Hezbollah.",
            True,
        ),
        # "Striking" said of the attackers' drone, the US only as the source: no US strike.
        ("U.S. officials said the drone came in low, striking a barracks, and no group has claimed it.", False),
        ("American jets dropped leaflets over the desert town, urging residents to stay indoors.", False),
    ],
)
def test_strikes_worded_as_striking_dropped_bombs_or_with_long_target_lists(text, is_strike):
    assert ("strike" in categories("", text + CONTEXT)) is is_strike


@pytest.mark.parametrize(
    "text, is_strike",
    [
        # A US answer recapped in passing, in a story of attacks on US forces that names no group.
        (
            "Rocket fire on U.S. troops at Harir eased for a while after U.S. retaliatory strikes in late March.",
            True,
        ),
        # A briefing's first person.
        (
            "Q: What did the raids hit? A: The strikes we carried out overnight destroyed a bunker used by the IRGC.",
            True,
        ),
        # A self-defense strike whose sentence names no US actor.
        ("It was a self-defense strike on a Kataib Hezbollah cell preparing drones, the spokesman said.", True),
        # A count of attacks measured from a US strike recaps that strike.
        ("Militants have fired at U.S. forces four times since the strike on Thursday near Qaim.", True),
        # A negation in another clause does not unsay the strike.
        (
            "Militia fighters hit U.S. forces again after the airstrikes on Kataib Hezbollah, and the groups have not "
            "slowed down.",
            True,
        ),
        # The proxies' own deadly strike is no US strike.
        ("U.S. troops have been attacked twice since the deadly Tower 22 strike.", False),
        ("U.S. forces were attacked again since the drone strike on Tower 22.", False),
        # A negation that governs the strike still voids it.
        ("The U.S. did not strike Kataib Hezbollah sites last night, a spokesman said.", False),
        # Promised, not done; and a retaliatory strike in Yemen.
        ("A self-defense strike against militia leaders could come within days, an official said.", False),
        ("U.S. retaliatory strikes hit Houthi radar sites in Yemen on Friday.", False),
    ],
)
def test_strikes_recapped_in_passing_in_briefings_or_without_a_us_actor(text, is_strike):
    assert ("strike" in categories("", text + CONTEXT)) is is_strike


def test_a_retaliatory_recap_without_a_proxy_named_needs_no_other_actor_in_the_article():
    recap = "Attacks on U.S. troops in Iraq and Syria dropped off after U.S. retaliatory strikes in early spring."
    assert "strike" in categories("", recap)
    assert "strike" not in categories("", recap + " Houthi drones kept flying at ships in the Red Sea.")


@pytest.mark.parametrize(
    "text, is_attack",
    [
        # Iran as the object of a proxy's name is no state attacker.
        ("Gunmen loyal to Iran fired three rockets at U.S. forces at Ain al-Asad on Sunday.", True),
        ("Fighters backed by Tehran launched two drones at American troops in eastern Syria.", True),
        # Iran itself firing, in any tense: a state strike.
        ("Iran fires missiles at a base housing U.S. troops in western Iraq.", False),
        ("Tehran launches drones at American forces stationed in Erbil.", False),
        # Another actor in another clause leaves the attack; in the same clause it voids it.
        (
            "Iran-aligned groups attacked U.S. forces 30 times in a month, while Houthi fighters fired on tankers "
            "off Yemen.",
            True,
        ),
        ("Houthi drones attacked U.S. forces on a warship off Yemen.", False),
        # A denial of a role is no denial of the attack; a denial that the attack happened is.
        ("Kataib Hezbollah denied any role in Tuesday's drone attack on U.S. troops at Tanf.", True),
        ("Officials denied U.S. forces were attacked last night.", False),
        # Planning named as past responsibility, not as a future attack.
        ("The commander was behind the planning and carrying out of attacks on U.S. forces in Syria.", True),
        ("The militia is preparing to attack U.S. forces near the border.", False),
    ],
)
def test_state_attackers_other_clauses_and_denials(text, is_attack):
    assert ("attack" in categories("", text + CONTEXT)) is is_attack


def test_a_dateline_city_is_no_actor():
    # "WASHINGTON (AP)" opens the sentence; the militia did the targeting.
    text = "WASHINGTON (Reuters) - Drones targeted two outposts in Syria at the weekend, part of a campaign by Iran-aligned militias."
    assert "strike" not in categories("", text + CONTEXT)
    assert "strike" in categories("", "Washington struck back at Iran-backed militias in Iraq." + CONTEXT)


def test_not_after_and_not_before_name_known_lists():
    base = tomllib.loads((REPO / "config" / "rules.toml").read_text())
    for side in ("not_after", "not_before"):
        with pytest.raises(ConfigError, match=side):
            compile_rules({**base, side: {"no_such_list": ["to"]}}, "rules.toml")
        with pytest.raises(ConfigError, match=side):
            compile_rules({**base, side: {"proxy": []}}, "rules.toml")


@pytest.mark.parametrize(
    "text, is_attack",
    [
        # No group named anywhere, in the theatre: the proxies' attack.
        ("Two rockets were fired at a U.S. base near Shaddadi in Syria late on Tuesday, officials said.", True),
        # Iran, another actor, another state or an accident named in the article: not assumed.
        ("Iran fired two rockets at a U.S. base near Shaddadi in Syria late on Tuesday, officials said.", False),
        (
            "Two rockets were fired at a U.S. base near Shaddadi in Syria late on Tuesday. ISIS cells are active there.",
            False,
        ),
        (
            "Turkish drones fired at a U.S. base near Shaddadi in Syria late on Tuesday, officials said.",
            False,
        ),
        ("Two U.S. troops were hurt in a vehicle accident at a U.S. base near Shaddadi in Syria.", False),
        # Outside the theatre.
        ("Two rockets were fired at a U.S. base in Somalia late on Tuesday, officials said.", False),
    ],
)
def test_an_attack_with_no_group_named_in_the_theatre(text, is_attack):
    assert ("attack" in categories("", text)) is is_attack


@pytest.mark.parametrize(
    "text, is_strike",
    [
        # A question about past strikes' effect recaps them.
        (
            "Asked whether Sunday's U.S. strikes on Kataib Hezbollah depots in Iraq had worked, the general"
            " said time would tell.",
            True,
        ),
        # Weighing whether to strike is no strike.
        ("Officials are weighing whether to strike Kataib Hezbollah depots in Iraq, the general said.", False),
        # A briefing's "proportionate action" against a militia figure is a strike; promised, it is not.
        (
            "On Monday U.S. forces took necessary and proportionate action against a Kataib Hezbollah"
            " commander in Iraq, a spokesman said.",
            True,
        ),
        (
            "The U.S. will take necessary and proportionate action against Kataib Hezbollah in Iraq if"
            " attacks go on, a spokesman said.",
            False,
        ),
    ],
)
def test_strikes_recapped_in_briefings(text, is_strike):
    assert ("strike" in categories("", text)) is is_strike


@pytest.mark.parametrize(
    "text",
    [
        # The target named a sentence later.
        "U.S. warplanes pounded three compounds near the border town of Qaim. Officials said the compounds "
        "belonged to Kataib Hezbollah.",
        "Two B-1 bombers hit a command post in the Syrian desert before dawn. The post was used by the IRGC's "
        "Quds Force, a spokesman said.",
        "American F-15Es bombed a farm outside Mayadeen; the farm hid drones of a militia backed by Iran.",
        # The passive, with the US after "by a".
        "A car carrying a Nujaba commander was struck by a U.S. drone on a Baghdad street on Tuesday night.",
        # One US service member, or one contractor, hurt.
        "A rocket barrage on the airport wounded a U.S. service member and a contractor.",
    ],
)
def test_strikes_whose_target_is_named_after_the_verb_or_the_next_sentence(text):
    found = categories("", text + CONTEXT)
    assert ("attack" if "barrage" in text else "strike") in found


@pytest.mark.parametrize(
    "text",
    [
        # US forces on the receiving end, in the passive.
        "U.S. and coalition forces have been attacked 40 times. Kataib Hezbollah claimed most of the attacks.",
        # A dateline is no actor.
        "WASHINGTON (AP) - Drones hit a base in Syria. Officials blamed a militia loyal to Tehran.",
        # Sanctions are no strike; nor a strike in the next paragraph; nor one only planned.
        "Washington hit the militia's bankers with sanctions. The bankers work for Kataib Hezbollah.",
        "U.S. jets struck targets in Yemen overnight.\n\nSeparately, Kataib Hezbollah threatened U.S. bases.",
        "U.S. bombers could hit the depots within days. The depots belong to Kataib Hezbollah.",
        # The target named before the strike is not the one struck: Nujaba fired, the drone was hit.
        "Nujaba launched a drone at the base, and U.S. forces shot it down.",
    ],
)
def test_a_strike_subject_without_a_proxy_target_after_it_is_no_strike(text):
    assert "strike" not in categories("", text + " Officials said the incident took place in Iraq.")


def test_a_follow_list_must_come_after_the_match_in_its_sentence_or_the_next():
    raw = {
        "terms": {"who": ["sappers"], "what": ["blew up"], "whose": ["the rebels"], "other": ["allegedly"]},
        "rule": [
            {
                "name": "r",
                "category": "strike",
                "sequence": ["who", "what"],
                "follow": ["whose"],
                "exclude": ["other"],
            }
        ],
    }
    rules = compile_rules(raw, "rules.toml")

    def fires(text: str) -> bool:
        return classify("", text, None, rules).categories == ("strike",)

    assert fires("Sappers blew up the bridge of the rebels.")
    assert fires("Sappers blew up the bridge. It belonged to the rebels.")
    matched = classify("", "Sappers blew up the bridge. It belonged to the rebels.", None, rules).matches[0]
    assert matched.sentence == "Sappers blew up the bridge. It belonged to the rebels."
    assert not fires("The rebels saw that sappers blew up the bridge.")
    assert not fires("Sappers blew up the bridge. Then came the night. It belonged to the rebels.")
    assert not fires("Sappers blew up the bridge.\n\nIt belonged to the rebels.")
    assert not fires("Sappers blew up the bridge. It allegedly belonged to the rebels.")
    with pytest.raises(ConfigError) as e:
        compile_rules({**raw, "rule": [{**raw["rule"][0], "follow": ["nowhere"]}]}, "rules.toml")
    assert e.value.key == "rule[0].follow"


@pytest.mark.parametrize(
    "text",
    [
        # The site struck named first, in the passive, the US named in the sentence.
        "Two depots used by Kataib Sayyid al-Shuhada near Qaim were hit overnight, U.S. Central Command said.",
        # A US strike as a noun, the group named in the next sentence.
        "Iraq protested the U.S. airstrikes near Jurf al-Sakhar. The Popular Mobilization Forces said four of "
        "its fighters died.",
        # Fighters unnamed, in an article that names no jihadist group.
        "CENTCOM said its strikes killed nine militants who had fired rockets at the base.",
    ],
)
def test_strikes_in_the_passive_as_a_noun_or_on_unnamed_fighters(text):
    assert "strike" in categories("", text + CONTEXT)


@pytest.mark.parametrize(
    "text",
    [
        # Another state, or no US named, in the passive.
        "Two depots used by Kataib Hezbollah near Qaim were hit overnight in a raid blamed on Israel.",
        "Two depots used by Kataib Hezbollah near Qaim were hit overnight, a monitor said.",
        # The US hurt, not striking.
        "Four U.S. service members were injured when rockets hit the base, U.S. officials said, blaming "
        "Iran-backed militants.",
        "They were the first American troops killed by hostile fire since Iran-backed militias began their campaign.",
        # Others pressing for a strike.
        "Senators pressed the Pentagon to hit the militias' leaders directly.",
        # Jihadists named: the fighters are theirs.
        "CENTCOM said its strikes killed nine militants at an Islamic State camp.",
    ],
)
def test_passives_hurt_americans_pressure_and_jihadists_are_no_strikes(text):
    assert "strike" not in categories("", text + CONTEXT)


@pytest.mark.parametrize(
    "text, attack, strike",
    [
        # Missiles fired from Iran itself are a state strike.
        (
            "Two dozen missiles were launched from Iranian territory at a base hosting U.S. forces in Anbar.",
            False,
            False,
        ),
        # An ally of Soleimani killed later by another state recaps no US strike.
        (
            "An aide to Qassem Soleimani was killed when the Zionist regime targeted his home near Damascus.",
            False,
            False,
        ),
        # Units and positions as the groups' media name them; "aggression" for a US strike.
        ("U.S. warplanes struck positions of the Popular Mobilisation Units near Qaim overnight.", False, True),
        ("Six fighters were martyred in the US aggression on resistance positions near Qaim.", False, True),
        # A group's commander killed, the US strike named after.
        (
            "A Kataib Hezbollah commander was martyred on Monday when a US drone targeted his car in Baghdad.",
            False,
            True,
        ),
        # Groups tied to Iran's Guards; no attacks at all.
        (
            "Rockets wounded two U.S. troops at a base in Syria, officials said, blaming groups tied to Iran's Guards.",
            True,
            False,
        ),
        ("The faction has not claimed any attacks on American forces since the spring.", False, False),
        # The US killing Soleimani is no attack on US forces.
        ("The U.S. military killed Qassem Soleimani in a strike at Baghdad airport, the Pentagon said.", False, True),
    ],
)
def test_state_strikes_allies_units_and_negations(text, attack, strike):
    found = categories("", text + " Officials said the incident took place in Iraq.", "2024-02-09")
    assert ("attack" in found, "strike" in found) == (attack, strike)


@pytest.mark.parametrize(
    "text, strike",
    [
        # US aircraft striking in answer to attacks, no group named.
        ("U.S. fighter jets hit 40 targets in Syria in retaliation for the drone attack on the base.", True),
        ("U.S. jets could hit targets in Syria in retaliation for the drone attack, officials said.", False),
        # A unit between "US" and the soldiers killed: they were hit.
        (
            "Two were among four US Army Reserve soldiers killed when a drone launched by Iran-backed militants "
            "struck the outpost.",
            False,
        ),
    ],
)
def test_strikes_in_retaliation_and_soldiers_killed(text, strike):
    assert ("strike" in categories("", text + CONTEXT)) is strike


@pytest.mark.parametrize(
    "text, attack, strike",
    [
        # An opening phrase of time is its own clause: Hamas and Israel in it void nothing after it.
        (
            "After Hamas' attack on Israel in October, Iraqi militias fired rockets at American troops in Syria.",
            True,
            False,
        ),
        # Israel's places; attacks on US forces elsewhere; Iran's dated missile attack.
        (
            "The Islamic Resistance in Iraq said it had targeted a site in Eilat with drones in support of our people.",
            False,
            False,
        ),
        (
            "Hezbollah's forerunners bombed the Marine barracks in Beirut in 1983, killing 241 American service members.",
            False,
            False,
        ),
        (
            "Doctors treated 60 U.S. troops for concussions after Iran's Jan. 8 missile attack on the base.",
            False,
            False,
        ),
        # A commander, unnamed fighters of a group named before.
        (
            "The militia lost a senior figure when a U.S. drone strike killed one of its commanders in Baghdad.",
            False,
            True,
        ),
    ],
)
def test_openers_israels_places_elsewhere_irans_dated_attack_and_commanders(text, attack, strike):
    found = categories("", text + " Iran-backed militias are active in Iraq.", "2024-03-01")
    assert ("attack" in found, "strike" in found) == (attack, strike)


@pytest.mark.parametrize(
    "text, strike",
    [
        # Another actor voids a strike next to it, not one a clause away.
        ("The Yemen strikes came a day after U.S. strikes on depots used by Kataib Hezbollah in Iraq.", True),
        ("U.S. and British jets struck 30 Houthi targets in Yemen overnight.", False),
        ("U.S. jets struck radar sites in Yemen used by the Iran-backed Houthis.", False),
    ],
)
def test_another_actor_voids_a_strike_next_to_it(text, strike):
    assert ("strike" in categories("", text + CONTEXT)) is strike


@pytest.mark.parametrize(
    "text",
    [
        "U.S. forces conducted a defensive strike near Musayib against combatants attempting to launch drones.",
        "American warplanes pounded militia positions along the Euphrates overnight.",
    ],
)
def test_defensive_strikes_and_places_of_the_theatre(text):
    assert "strike" in categories("", text + " Officials blamed Iran-backed militias.")


def test_fire_returned_at_the_launchers_is_a_strike():
    text = "Rockets hit the Conoco base, and the coalition responded with artillery shelling on the launch sites."
    assert "strike" in categories("", text + CONTEXT)


@pytest.mark.parametrize(
    "text, attack, strike",
    [
        # Attacks not done, hypothetical, or on a base without US forces named.
        ("No attack on U.S. personnel has been reported since the warning.", False, False),
        ("Officials said any attack on Americans would be met with a firm response.", False, False),
        ("Overnight drones struck radar sites at Camp Taji north of Baghdad, Iraqi officials said.", False, False),
        # The groups' own strikes; a later death measured against Soleimani's; a strike only feared.
        ("A base housing U.S. troops was hit in strikes claimed by the Islamic Resistance in Iraq.", True, False),
        ("The general was the most senior commander killed since Qassem Soleimani.", False, False),
        ("Are U.S. forces in Syria at risk of retaliation from the militias?", False, False),
        # Rounds of strikes; a headline's bare subject in the present; bombers dropping munitions.
        ("The Pentagon has conducted two rounds of strikes on facilities in Syria in the past week.", False, True),
        ("U.S. pounds 40 targets in Syria in retaliation for drone attack", False, True),
        (
            "B-1 bombers dropped more than 100 precision munitions on depots used by the Revolutionary Guards.",
            False,
            True,
        ),
    ],
)
def test_the_blind_sets_shapes(text, attack, strike):
    found = categories("", text + " Iran-backed militias operate in Iraq and Syria.", "2024-02-03")
    assert ("attack" in found, "strike" in found) == (attack, strike)


@pytest.mark.parametrize(
    "text, strike",
    [
        ("Diplomats say closing the embassy would be followed by U.S. strikes on militia targets.", False),
        ("The rocket attack was followed by U.S. strikes on militia targets near Qaim.", True),
        ("An aide and companion of General Qassem Soleimani was killed when jets struck his home.", False),
    ],
)
def test_strikes_foreseen_and_soleimanis_companions(text, strike):
    assert ("strike" in categories("", text + CONTEXT)) is strike


@pytest.mark.parametrize(
    "text",
    [
        "The groups have largely refrained from targeting U.S. forces since August.",
        "Seven U.S. personnel were injured during the operation, which used helicopter-borne troops.",
    ],
)
def test_attacks_held_back_and_injuries_in_ones_own_operation_are_none(text):
    assert "attack" not in categories("", text + CONTEXT)


@pytest.mark.parametrize(
    "text, strike",
    [
        ("Iraqi F-16s later struck suspected militant positions near Kirkuk, officials said.", False),
        ("Parliament voted days after the US assassination of Iran's top commander General Qassem Soleimani.", True),
        ("A bombing killed nearly 100 people at a memorial for Qassem Soleimani in Kerman.", False),
    ],
)
def test_another_air_force_a_long_name_and_a_memorial(text, strike):
    assert ("strike" in categories("", text + CONTEXT)) is strike


@pytest.mark.parametrize(
    "text, attack",
    [
        # Iran's own missiles void an attack in their clause only.
        (
            "The base was hit by Iranian ballistic missiles in 2020; in August a rocket attack there wounded five "
            "U.S. service members.",
            True,
        ),
        ("In January 2020 the base was struck by Iranian ballistic missiles that wounded U.S. troops.", False),
        # Attacks to come, in Qatar, or Hamas's on Israel.
        ("The strikes will degrade their ability to launch future attacks against US and coalition forces.", False),
        ("One missile fell inside Al Udeid air base in Qatar, where US forces are based.", False),
        ("At least 11 Americans were among those killed in the Oct. 7 attack.", False),
    ],
)
def test_irans_missiles_by_clause_future_attacks_qatar_and_october_7(text, attack):
    assert ("attack" in categories("", text + CONTEXT)) is attack


@pytest.mark.parametrize(
    "text, attack, strike",
    [
        # US forces in the passive next to a strike word, the attackers blamed: no US strike.
        (
            "American forces in Syria have been targeted by drones at least 13 times in a week, the Pentagon said, "
            "blaming groups backed by Iran.",
            True,
            False,
        ),
        # Not targeted at all; a warning not to tolerate attacks; a US answer with dozens of strikes.
        ("CENTCOM said U.S. forces had not been targeted in Iraq or Syria in recent weeks.", False, False),
        ("Biden said the U.S. will not tolerate attacks on our personnel.", False, False),
        ("After the Jordan attack, Washington responded with dozens of strikes in Iraq and Syria.", False, True),
    ],
)
def test_passive_targets_negated_attacks_and_dozens_of_strikes(text, attack, strike):
    found = categories("", text + CONTEXT)
    assert ("attack" in found, "strike" in found) == (attack, strike)
