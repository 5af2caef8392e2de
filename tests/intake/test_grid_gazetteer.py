from __future__ import annotations

import pytest

from intake.grid.gazetteer import AddressMatch, Gazetteer, GazetteerEntry

KUIYONG = "440307009"
KUIYONG_COMMUNITY = "440307009001"
TUYANG = "440307009004"
NANAO = "440307011"
DONGCHONG_COMMUNITY = "440307011007"
XICHONG_BEACH = "440307011007051"
FORTRESS = "440307010002009"
NANAO_TOWN = "440307011001036"
ROAD = "440307011001040"

ENTRIES = (
    GazetteerEntry("葵涌街道", "street", KUIYONG, ("葵涌镇",)),
    GazetteerEntry("南澳街道", "street", NANAO, ("南澳镇",)),
    GazetteerEntry("葵涌社区", "community", KUIYONG_COMMUNITY),
    GazetteerEntry("土洋社区", "community", TUYANG),
    GazetteerEntry("东涌社区", "community", DONGCHONG_COMMUNITY),
    GazetteerEntry("西涌海滩", "landmark", XICHONG_BEACH, ("西涌沙滩",)),
    GazetteerEntry("大鹏所城", "landmark", FORTRESS, ("所城",)),
    GazetteerEntry("南澳墟镇", "landmark", NANAO_TOWN, ("南澳墟",)),
    GazetteerEntry("南澳大道", "road", ROAD),
)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(ENTRIES)


def codes(matches: list[AddressMatch]) -> list[str]:
    return [m.code for m in matches]


def test_exact_name(gazetteer: Gazetteer) -> None:
    best = gazetteer.best("大鹏所城门口的路灯坏了三天了")
    assert best == AddressMatch(FORTRESS, "大鹏所城", "landmark", best.score if best else 0.0)
    assert best is not None and best.score >= 0.8


def test_alias(gazetteer: Gazetteer) -> None:
    assert codes(gazetteer.match("所城北门有人乱摆摊")) == [FORTRESS]
    best = gazetteer.best("我住葵涌镇")
    assert best is not None and (best.code, best.name) == (KUIYONG, "葵涌街道")


def test_typo_is_a_fuzzy_match(gazetteer: Gazetteer) -> None:
    best = gazetteer.best("葵涌社去门口垃圾没人清")
    assert best is not None and best.code == KUIYONG_COMMUNITY
    assert 0.5 < best.score < 0.8


def test_missing_suffix_is_a_fuzzy_match(gazetteer: Gazetteer) -> None:
    best = gazetteer.best("土洋村口下水道堵了")
    assert best is not None and best.code == TUYANG
    assert best.score < 0.8


def test_no_match(gazetteer: Gazetteer) -> None:
    assert gazetteer.match("今天天气不错，心情很好") == []
    assert gazetteer.best("") is None


def test_more_specific_kinds_rank_higher(gazetteer: Gazetteer) -> None:
    found = gazetteer.match("南澳街道东涌社区西涌海滩边上有死鱼")
    assert codes(found) == [XICHONG_BEACH, DONGCHONG_COMMUNITY, NANAO]
    assert found[0].score > found[1].score > found[2].score >= 0.8


def test_exact_beats_fuzzy(gazetteer: Gazetteer) -> None:
    found = gazetteer.match("葵涌街道土洋那边")
    assert codes(found)[0] == KUIYONG  # a street named in full outranks a guessed community
    assert codes(found)[1] == TUYANG


def test_name_inside_a_longer_name_is_not_a_separate_hit(gazetteer: Gazetteer) -> None:
    assert codes(gazetteer.match("南澳墟镇菜市场")) == [NANAO_TOWN]
    assert codes(gazetteer.match("南澳大道上有坑")) == [ROAD]


def test_one_match_per_code(gazetteer: Gazetteer) -> None:
    found = gazetteer.match("西涌海滩也叫西涌沙滩")
    assert codes(found) == [XICHONG_BEACH]


def test_names_for_a_user_dictionary(gazetteer: Gazetteer) -> None:
    names = gazetteer.names()
    assert {"葵涌镇", "所城", "南澳墟镇", "土洋社区"} <= set(names)
    assert len(names) == len(set(names))
    assert [len(n) for n in names] == sorted((len(n) for n in names), reverse=True)


def test_gazetteers_do_not_share_words() -> None:
    small = Gazetteer([GazetteerEntry("南澳街道", "street", NANAO)])
    assert small.match("土洋村口") == []
    assert len(small) == 1


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="kind"):
        Gazetteer([GazetteerEntry("某某", "planet", "1")])
