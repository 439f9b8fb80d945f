"""The city of the demo year: its units and their targets' shares, its assessment groups, chambers,
events and land.

Tables of the real institutions of 衢州 (counties, zones, the departments bundled into two groups,
the chambers that signed with the city, the events whose signings DESIGN §1 quotes), kept apart
from the generator so that they read as data. Only the small dataclasses that shape them live here.
"""

import datetime as dt
from dataclasses import dataclass

from accounts.models import Unit
from chambers.models import Chamber, Event
from projects.models import Parcel, Project

from .year import CITY_TARGETS

# Where an investor's money comes from, as seen from the city.
Origin = Project.Origin
OOC, OOP, OVERSEAS, LOCAL = Origin.OUT_OF_CITY, Origin.OUT_OF_PROVINCE, Origin.OVERSEAS, Origin.LOCAL

SOCIAL_INDUSTRIES = ("education", "health", "elderly_care")
SOCIAL_INDICATORS = ("social_projects", "social_delivered")
AMOUNT_AND_COUNT = ("signed_capital", "delivered_capital", "major_projects")


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    place: str  # the short place name used in generated project names
    weight: int  # relative share of the generated projects (social ones only, for the social bureaus)
    industries: tuple[str, ...]
    share: float  # of the city target, for each indicator it is assessed on
    indicators: tuple[str, ...] = tuple(CITY_TARGETS)
    group: str = ""

    @property
    def social(self) -> bool:
        return set(self.industries) <= set(SOCIAL_INDUSTRIES)


COUNTY, ZONE, DEPARTMENT = Unit.Kind.COUNTY, Unit.Kind.ZONE, Unit.Kind.DEPARTMENT
NOT_SOCIAL = tuple(code for code in CITY_TARGETS if code not in SOCIAL_INDICATORS)

UNITS: tuple[UnitSpec, ...] = (
    UnitSpec("kecheng", "柯城区", COUNTY, "柯城", 10,
             ("commerce", "logistics", "electronics", "tourism", "real_estate", "finance"), 0.10),
    UnitSpec("qujiang", "衢江区", COUNTY, "衢江", 11,
             ("paper", "building_materials", "equipment", "agriculture", "food"), 0.12),
    UnitSpec("jiangshan", "江山市", COUNTY, "江山", 15,
             ("building_materials", "equipment", "electronics", "tourism", "food"), 0.16),
    UnitSpec("longyou", "龙游县", COUNTY, "龙游", 14, ("paper", "food", "equipment", "tourism", "agriculture"), 0.15),
    UnitSpec("changshan", "常山县", COUNTY, "常山", 9,
             ("building_materials", "equipment", "agriculture", "tourism", "textiles"), 0.10),
    UnitSpec("kaihua", "开化县", COUNTY, "开化", 8,
             ("tourism", "agriculture", "new_energy", "food", "biomedicine"), 0.09),
    UnitSpec("econ_zone", "市经济开发区", ZONE, "衢州", 13,
             ("fluorosilicon", "equipment", "auto_parts", "electronics", "new_materials"), 0.15, NOT_SOCIAL),
    UnitSpec("hitech_zone", "市高新园区", ZONE, "衢州", 12,
             ("new_materials", "fluorosilicon", "new_energy", "electronics", "biomedicine"), 0.13, NOT_SOCIAL),
    UnitSpec("dept_fgw", "市发改委", DEPARTMENT, "衢州", 2, ("new_energy", "logistics"), 0.03,
             AMOUNT_AND_COUNT, "第一组"),
    UnitSpec("dept_jxw", "市经信委", DEPARTMENT, "衢州", 2, ("equipment", "electronics", "auto_parts"), 0.03,
             AMOUNT_AND_COUNT, "第一组"),
    UnitSpec("dept_swj", "市商务局", DEPARTMENT, "衢州", 2, ("commerce", "logistics"), 0.03,
             ("signed_capital", "delivered_capital", "out_of_province_delivered"), "第一组"),
    UnitSpec("dept_gzw", "市国资委", DEPARTMENT, "衢州", 1, ("finance", "real_estate"), 0.03,
             ("signed_capital", "delivered_capital"), "第一组"),
    UnitSpec("dept_nyj", "市农业局", DEPARTMENT, "衢州", 2, ("agriculture", "food"), 0.03,
             ("signed_capital", "delivered_capital", "mountain_sea_projects"), "第二组"),
    UnitSpec("dept_lyj", "市旅游局", DEPARTMENT, "衢州", 2, ("tourism",), 0.03,
             ("signed_capital", "delivered_capital"), "第二组"),
    UnitSpec("dept_jyj", "市教育局", DEPARTMENT, "衢州", 10, ("education",), 0.2, SOCIAL_INDICATORS, "第二组"),
    UnitSpec("dept_wsj", "市卫生局", DEPARTMENT, "衢州", 10, ("health", "elderly_care"), 0.2,
             SOCIAL_INDICATORS, "第二组"),
)
UNIT_SPECS = {spec.code: spec for spec in UNITS}


@dataclass(frozen=True)
class GroupSpec:
    """An assessment group (大组) of the demo year: the departments whose UnitSpec.group is `group`."""

    code: str
    name: str
    group: str

    @property
    def members(self) -> tuple[str, ...]:
        return tuple(spec.code for spec in UNITS if spec.group == self.group)


# The city-level departments were assessed as bundled groups (大组捆绑考核, DESIGN §1); a group's
# target for an indicator is the sum of its members' targets.
GROUPS: tuple[GroupSpec, ...] = (
    GroupSpec("2011-shizhi-1", "市直第一组", "第一组"),
    GroupSpec("2011-shizhi-2", "市直第二组", "第二组"),
)


@dataclass(frozen=True)
class ChamberSpec:
    name: str
    kind: str
    region: str
    strategic_on: dt.date | None = None  # the strategic framework agreement signed with the city
    cooperation_on: dt.date | None = None


ZJ, QZ, HOME = Chamber.Kind.ZHEJIANG_ABROAD, Chamber.Kind.QUZHOU, Chamber.Kind.HOMETOWN
CHAMBERS: tuple[ChamberSpec, ...] = (
    # The eight provincial chambers (在外浙江商会) of DESIGN §1, most signing at 天下浙商家乡行 (August).
    ChamberSpec("上海浙江商会", ZJ, "上海", dt.date(2011, 8, 18)),
    ChamberSpec("广东浙江商会", ZJ, "广州", dt.date(2011, 9, 15)),
    ChamberSpec("江苏浙江商会", ZJ, "南京", dt.date(2011, 8, 18)),
    ChamberSpec("福建浙江商会", ZJ, "福州", dt.date(2011, 8, 18)),
    ChamberSpec("北京浙江企业商会", ZJ, "北京", dt.date(2011, 8, 18)),
    ChamberSpec("四川浙江商会", ZJ, "成都", dt.date(2011, 7, 12)),
    ChamberSpec("湖北浙江商会", ZJ, "武汉", dt.date(2011, 8, 26)),
    ChamberSpec("江西浙江商会", ZJ, "南昌", dt.date(2011, 10, 20)),
    ChamberSpec("深圳市浙江商会", ZJ, "深圳"),
    ChamberSpec("天津浙江商会", ZJ, "天津", cooperation_on=dt.date(2010, 11, 8)),
    ChamberSpec("上海衢州商会", QZ, "上海", cooperation_on=dt.date(2010, 3, 12)),
    ChamberSpec("杭州衢州商会", QZ, "杭州", cooperation_on=dt.date(2011, 2, 25)),
    ChamberSpec("深圳衢州商会", QZ, "深圳"),
    ChamberSpec("北京衢州商会", QZ, "北京"),
    ChamberSpec("温州衢州商会", QZ, "温州"),
    ChamberSpec("上海江山同乡会", HOME, "上海"),
    ChamberSpec("杭州龙游同乡会", HOME, "杭州"),
    ChamberSpec("宁波常山同乡会", HOME, "宁波"),
    ChamberSpec("义乌开化同乡会", HOME, "义乌"),
)


@dataclass(frozen=True)
class EventSpec:
    key: str
    name: str
    kind: str
    starts_on: dt.date
    ends_on: dt.date | None
    location: str
    organizer: str  # unit code
    invited_count: int
    notes: str = ""


EXPO, ROADSHOW, HOSTED, VISIT = Event.Kind.EXPO, Event.Kind.ROADSHOW, Event.Kind.HOSTED, Event.Kind.VISIT
TX, GD = "tx", "gd"  # the two events whose signings DESIGN §1 quotes
EVENTS: tuple[EventSpec, ...] = (
    EventSpec(TX, "2011天下浙商家乡行·衢州", HOSTED, dt.date(2011, 8, 18), dt.date(2011, 8, 19), "衢州",
              "dept_swj", 135, "邀请在外浙商135人，集中签约项目19个，协议引资61.82亿元。"),
    EventSpec(GD, "2011粤浙经贸合作洽谈会", EXPO, dt.date(2011, 9, 15), dt.date(2011, 9, 17), "广州",
              "dept_swj", 60, "签约项目13个，协议引资21.32亿元。"),
    EventSpec("sh2011", "2011衢州（上海）投资环境推介会", ROADSHOW, dt.date(2011, 4, 12), None, "上海",
              "dept_fgw", 150),
    EventSpec("zq2011", "2011中国浙江投资贸易洽谈会", EXPO, dt.date(2011, 6, 8), dt.date(2011, 6, 10), "杭州",
              "dept_swj", 80),
    EventSpec("soe2011", "2011央企·衢州合作对接会", VISIT, dt.date(2011, 8, 23), dt.date(2011, 8, 24), "北京",
              "dept_gzw", 40),
    EventSpec("tw2011", "2011海峡两岸（衢州）经贸交流会", HOSTED, dt.date(2011, 10, 26), dt.date(2011, 10, 27), "衢州",
              "dept_swj", 90),
    EventSpec("sz2010", "2010衢州（深圳）招商推介会", ROADSHOW, dt.date(2010, 5, 20), None, "深圳", "dept_swj", 120),
    EventSpec("zq2010", "2010中国浙江投资贸易洽谈会", EXPO, dt.date(2010, 6, 8), dt.date(2010, 6, 10), "杭州",
              "dept_swj", 70),
    EventSpec("zs2010", "2010衢州·浙商项目对接会", HOSTED, dt.date(2010, 10, 18), None, "衢州", "dept_fgw", 100),
)


@dataclass(frozen=True)
class ParcelSpec:
    code: str
    name: str
    unit: str
    area_mu: str
    industries: tuple[str, ...]
    intensity: int  # 万元/亩
    tax_per_mu: int  # 万元/亩·年
    status: str
    published_on: dt.date | None


AVAILABLE, RESERVED, TAKEN = Parcel.Status.AVAILABLE, Parcel.Status.RESERVED, Parcel.Status.TAKEN
HUAYOU_PARCEL = "hitech-2011-01"
PARCELS: tuple[ParcelSpec, ...] = (
    ParcelSpec(HUAYOU_PARCEL, "高新园区东港片区A地块", "hitech_zone", "700", ("new_materials", "new_energy"),
               300, 15, TAKEN, dt.date(2011, 2, 15)),
    ParcelSpec("econ-2011-01", "经济开发区白沙路以北地块", "econ_zone", "150", ("fluorosilicon", "equipment"),
               280, 12, AVAILABLE, dt.date(2011, 6, 1)),
    ParcelSpec("jiangshan-2011-01", "江山山海协作产业园B地块", "jiangshan", "120",
               ("building_materials", "equipment"), 200, 10, RESERVED, dt.date(2011, 3, 20)),
    ParcelSpec("longyou-2011-01", "龙游工业园区特种纸基地地块", "longyou", "200", ("paper",), 220, 10, AVAILABLE,
               dt.date(2011, 7, 10)),
    ParcelSpec("qujiang-2011-01", "衢江区廿里镇工业地块", "qujiang", "85.5", ("equipment", "food"), 180, 8,
               AVAILABLE, None),
    ParcelSpec("changshan-2011-01", "常山生态工业园区地块", "changshan", "60", ("building_materials",), 180, 8,
               AVAILABLE, dt.date(2011, 9, 1)),
    ParcelSpec("kaihua-2011-01", "开化工业园区C地块", "kaihua", "45", ("new_energy", "biomedicine"), 160, 6,
               AVAILABLE, None),
    ParcelSpec("kecheng-2011-01", "柯城区航埠物流地块", "kecheng", "90", ("logistics", "commerce"), 150, 8,
               AVAILABLE, dt.date(2011, 11, 15)),
    # More of the year's published land, for the public land page (/land/) and its map.
    ParcelSpec("hitech-2011-02", "高新园区东港片区B地块", "hitech_zone", "180", ("electronics", "new_materials"),
               320, 15, AVAILABLE, dt.date(2011, 8, 20)),
    ParcelSpec("econ-2011-02", "经济开发区东港工业地块", "econ_zone", "95", ("auto_parts", "equipment"), 260, 12,
               RESERVED, dt.date(2011, 4, 12)),
    ParcelSpec("kecheng-2011-02", "柯城区衢化工业地块", "kecheng", "70", ("fluorosilicon",), 280, 12, AVAILABLE,
               dt.date(2011, 10, 8)),
    ParcelSpec("qujiang-2011-02", "衢江区高家工业地块", "qujiang", "130", ("paper", "building_materials"), 200, 9,
               AVAILABLE, dt.date(2011, 5, 16)),
    ParcelSpec("longyou-2011-02", "龙游城南工业地块", "longyou", "75", ("food", "textiles"), 180, 8, AVAILABLE,
               dt.date(2011, 9, 12)),
    ParcelSpec("kaihua-2011-02", "开化华埠工业地块", "kaihua", "50", ("new_energy",), 200, 8, AVAILABLE,
               dt.date(2011, 12, 1)),
    ParcelSpec("jiangshan-2011-02", "江山经济开发区山海协作地块", "jiangshan", "110",
               ("equipment", "building_materials"), 220, 10, TAKEN, dt.date(2011, 2, 28)),
)

# Industries outside manufacturing; every other one is 工业.
Category = Project.Category
CATEGORY_OF_INDUSTRY: dict[str, str] = {
    "agriculture": Category.AGRICULTURE,
    **{code: Category.SERVICE for code in ("tourism", "logistics", "commerce", "finance", "real_estate")},
    **{code: Category.SOCIAL for code in SOCIAL_INDUSTRIES},
}
