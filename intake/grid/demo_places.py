"""Names and hand-made shapes for the demo city (Shenzhen 大鹏新区); see :mod:`intake.grid.demo`.

Facts: the district, street and community names, the street codes (统计用区划代码
2023) and the place names. Synthetic: every coordinate in this file, the community
serials (001 …) and the people. Coordinates are WGS-84 lon/lat.
"""

from __future__ import annotations

from dataclasses import dataclass

DISTRICT_CODE = "440307"
DISTRICT_NAME = "大鹏新区"

# A coarse outline of the 大鹏 peninsula, drawn by hand at about 1 km precision for when
# the shared boundary file is absent. It is approximate and synthetic: not a survey,
# not derived from any dataset, only for demos and tests.
SYNTHETIC_OUTLINE: tuple[tuple[float, float], ...] = (
    (114.380, 22.645), (114.368, 22.618), (114.400, 22.602), (114.430, 22.588), (114.452, 22.562),
    (114.466, 22.522), (114.478, 22.474), (114.498, 22.452), (114.528, 22.455), (114.548, 22.474),
    (114.588, 22.484), (114.614, 22.503), (114.606, 22.540), (114.578, 22.556), (114.562, 22.580),
    (114.588, 22.628), (114.584, 22.655), (114.530, 22.660), (114.470, 22.666), (114.420, 22.657),
)  # fmt: skip

# Street cut lines (synthetic): 南澳 is everything south of a line at about 22.55° N;
# 葵涌 is the west (about 114.46° E) plus the northern coastal strip above about
# 22.63° N (where 坝光 is); 大鹏 is the rest, the middle. Each region is a generous
# polygon intersected with the district outline.
NANAO_REGION: tuple[tuple[float, float], ...] = (
    (114.30, 22.30), (114.70, 22.30), (114.70, 22.56), (114.62, 22.56), (114.46, 22.545), (114.30, 22.545),
)  # fmt: skip
KUIYONG_REGION: tuple[tuple[float, float], ...] = (
    (114.30, 22.30), (114.455, 22.30), (114.455, 22.545), (114.47, 22.625), (114.70, 22.63),
    (114.70, 22.80), (114.30, 22.80),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class StreetSpec:
    code: str
    name: str
    pinyin: str
    former_name: str  # the town (镇) each street was until 2004, still said colloquially
    communities: tuple[str, ...]


STREETS = (
    StreetSpec(
        "440307009", "葵涌街道", "kuiyong", "葵涌镇",
        ("葵涌社区", "三溪社区", "溪涌社区", "土洋社区", "官湖社区",
         "坝光社区", "高源社区", "溪坪社区", "商业街社区"),
    ),
    StreetSpec(
        "440307010", "大鹏街道", "dapeng", "大鹏镇",
        ("王母社区", "鹏城社区", "岭澳社区", "水头社区", "布新社区", "下沙社区", "大鹏社区"),
    ),
    StreetSpec(
        "440307011", "南澳街道", "nanao", "南澳镇",
        ("南渔社区", "南隆社区", "水头沙社区", "东山社区", "西涌社区", "新大社区", "东涌社区", "南澳社区"),
    ),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PlaceSpec:
    name: str
    kind: str  # "landmark" | "road"
    street: str
    lng: float
    lat: float
    aliases: tuple[str, ...] = ()


# Real names, synthetic points: each lies at least ~1 km inside its street under both the
# shared and the synthetic boundary. A road is pinned to one point on it, standing for it.
PLACES = (
    PlaceSpec("葵涌中心小学", "landmark", "440307009", 114.430, 22.625),
    PlaceSpec("坝光银叶树", "landmark", "440307009", 114.535, 22.645, ("银叶树湿地园",)),
    PlaceSpec("葵鹏路", "road", "440307009", 114.445, 22.605),
    PlaceSpec("大鹏所城", "landmark", "440307010", 114.505, 22.595, ("所城",)),
    PlaceSpec("较场尾", "landmark", "440307010", 114.492, 22.580),
    PlaceSpec("金沙湾", "landmark", "440307010", 114.475, 22.575),
    PlaceSpec("迎宾路", "road", "440307010", 114.485, 22.600),
    PlaceSpec("鹏飞路", "road", "440307010", 114.500, 22.610),
    PlaceSpec("南澳墟镇", "landmark", "440307011", 114.490, 22.530, ("南澳墟",)),
    PlaceSpec("西涌海滩", "landmark", "440307011", 114.545, 22.485, ("西涌沙滩",)),
    PlaceSpec("东涌", "landmark", "440307011", 114.585, 22.500, ("东涌海滩",)),
    PlaceSpec("杨梅坑", "landmark", "440307011", 114.565, 22.540),
    PlaceSpec("七娘山", "landmark", "440307011", 114.560, 22.515),
    PlaceSpec("桔钓沙", "landmark", "440307011", 114.575, 22.545),
    PlaceSpec("鹅公湾", "landmark", "440307011", 114.600, 22.515),
    PlaceSpec("坪西路", "road", "440307011", 114.520, 22.500),
)

# Line departments: (line, district-level name). Street level gets an enforcement team
# and an emergency office per street. Names follow the real pattern; addresses are fake.
DISTRICT_DEPARTMENTS = (
    ("urban_management", "大鹏新区城市管理和综合执法局"),
    ("housing", "大鹏新区住房和建设局"),
    ("environment", "深圳市生态环境局大鹏管理局"),
    ("water", "大鹏新区水务局"),
    ("transport", "深圳市交通运输局大鹏管理局"),
    ("emergency", "大鹏新区应急管理局"),
)
STREET_DEPARTMENTS = (
    ("urban_management", "综合行政执法队"),
    ("emergency", "应急管理办公室"),
)
EMAIL_DOMAIN = "dapeng.example.org"

# Fictitious people: 13 × 17 are coprime, so pairing index i with both lists gives 221
# distinct names before any repeats.
SURNAMES = ("陈", "林", "黄", "张", "李", "王", "吴", "刘", "蔡", "杨", "郑", "何", "曾")
GIVEN_NAMES = (
    "志强", "丽娟", "建华", "晓燕", "国平", "秀英", "伟明", "海燕", "文军", "小红",
    "永生", "美玲", "家豪", "婉婷", "振宇", "嘉欣", "子轩",
)  # fmt: skip


def person_name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN_NAMES[i % len(GIVEN_NAMES)]


def phone_number(i: int) -> str:
    return f"1380000{i:04d}"
