"""The demo year: 衢州's 2011 (DESIGN §1), reproduced to the 万元.

`demo_load()` fills an empty database with the city's units and targets, its chambers and events,
and about nine hundred projects with their capital deliveries and follow-ups, so that the ten
standard indicators of 2011 come out exactly as in the bureau's yearly report.

How the figures come out exact: generated projects come in *buckets* (same signing year, origin
and flags). Each bucket is given its number of projects, how many of them are of 1 亿 or more, its
signed total and its delivered total per year; every split lets its last share absorb the
rounding, so each bucket's sums are exact integers. The §1 figures are sums of bucket totals (the
arithmetic is written out next to BUCKETS), and a final self-check recomputes them from the
database and rolls the whole load back if anything drifted.

Everything random comes from one `random.Random(SEED)` consumed in a fixed order, and no date
depends on today: two loads write the same rows.
"""

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from accounts.models import Unit
from chambers.models import Agreement, Chamber, Contact, Event
from projects.models import Activity, CapitalDelivery, Industry, InvestorKind, Parcel, Project
from targets.models import Indicator, Target
from targets.reporting import build_rows

YEAR = 2011
PREVIOUS_YEAR = 2010
SEED = 20111231
YEAR_END = dt.date(YEAR, 12, 31)
MAJOR = 10_000  # 万元: 1 亿, the threshold of major_projects
HISTORY_REASON = "演示数据导入（load_demo）"
T = TypeVar("T")

Origin = Project.Origin
Stage = Project.Stage
Channel = Project.Channel
Category = Project.Category
OOC, OOP, OVERSEAS, LOCAL = Origin.OUT_OF_CITY, Origin.OUT_OF_PROVINCE, Origin.OVERSEAS, Origin.LOCAL

# DESIGN §1 for 2011: amounts in 万元, counts in projects.
FIGURES: dict[str, int] = {
    "signed_capital": 4_320_000,
    "delivered_capital": 1_760_000,
    "major_projects": 144,
    "out_of_province_delivered": 394_500,
    "returning_merchant_delivered": 55_400,
    "mountain_sea_projects": 270,
    "mountain_sea_signed": 3_000_000,
    "mountain_sea_delivered": 710_000,
    "social_projects": 22,
    "social_delivered": 350,
}

# The city's 2011 targets, chosen so that FIGURES / target gives §1's completion exactly.
# mountain_sea_signed had no target in the bureau's report, so it has none here either.
CITY_TARGETS: dict[str, int] = {
    "signed_capital": 3_200_000,  # 135.0 %
    "delivered_capital": 1_600_000,  # 110.0 %
    "major_projects": 60,  # 240.0 %
    "out_of_province_delivered": 350_000,  # 112.7 %
    "returning_merchant_delivered": 30_000,  # 184.7 %
    "mountain_sea_projects": 100,  # 270.0 %
    "mountain_sea_delivered": 200_000,  # 355.0 %
    "social_projects": 10,  # 220.0 %
    "social_delivered": 100,  # 350.0 %
}

COMPLETION: dict[str, str] = {
    "signed_capital": "135.0",
    "delivered_capital": "110.0",
    "major_projects": "240.0",
    "out_of_province_delivered": "112.7",
    "returning_merchant_delivered": "184.7",
    "mountain_sea_projects": "270.0",
    "mountain_sea_delivered": "355.0",
    "social_projects": "220.0",
    "social_delivered": "350.0",
}


class DemoError(Exception):
    """The demo cannot be loaded; nothing was written."""


class DemoNotEmpty(DemoError):
    pass


# --- The city: units, chambers, events, land --------------------------------------------------------

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
class ChamberSpec:
    name: str
    kind: str
    region: str
    strategic_on: dt.date | None = None  # the strategic framework agreement signed with the city
    cooperation_on: dt.date | None = None


ZJ, QZ, HOME = Chamber.Kind.ZHEJIANG_ABROAD, Chamber.Kind.QUZHOU, Chamber.Kind.HOMETOWN
CHAMBERS: tuple[ChamberSpec, ...] = (
    # The eight provincial chambers (在外浙江商会) of DESIGN §1, most signing at 天下浙商家乡行.
    ChamberSpec("上海浙江商会", ZJ, "上海", dt.date(2011, 5, 18)),
    ChamberSpec("广东浙江商会", ZJ, "广州", dt.date(2011, 9, 15)),
    ChamberSpec("江苏浙江商会", ZJ, "南京", dt.date(2011, 5, 18)),
    ChamberSpec("福建浙江商会", ZJ, "福州", dt.date(2011, 5, 18)),
    ChamberSpec("北京浙江企业商会", ZJ, "北京", dt.date(2011, 5, 18)),
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
    EventSpec(TX, "2011天下浙商家乡行·衢州", HOSTED, dt.date(2011, 5, 18), dt.date(2011, 5, 19), "衢州",
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
)


# --- Words for realistic names ------------------------------------------------------------------------

def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


BRANDS = _words(
    "金瑞 华晟 宏远 恒通 天成 永祥 鑫源 瑞丰 中科 新锐 博瑞 东方 信达 盛世 嘉禾 明辉 锦程 万隆 泰和 富春 "
    "钱江 开元 海天 精工 立德 凯达 中联 华新 远洋 昌盛 安泰 德信 佳源 宝利 润和 荣盛 振华 广信 国瑞 美嘉 "
    "绿源 蓝天 星辰 云峰 翔宇 伟业 大成 宏基 天翼 金石 银河 汇通 鼎盛 恒瑞 华源 至诚 正和 康达 百川 卓越"
)

REGIONS: dict[str, tuple[str, ...]] = {
    LOCAL: ("衢州", "江山", "龙游", "常山", "开化", "衢州市衢江"),
    OOC: ("杭州", "宁波", "温州", "绍兴", "嘉兴", "湖州", "台州", "金华", "义乌", "丽水", "浙江"),
    OOP: ("上海", "江苏", "深圳", "广州", "北京", "福建", "江西", "安徽", "山东", "天津", "湖南", "四川"),
    OVERSEAS: ("香港", "台湾", "新加坡", "日本", "美国", "德国", "韩国"),
}


@dataclass(frozen=True)
class IndustryWords:
    company: str  # what the investor's name says it does
    products: tuple[str, ...]
    quantity_unit: str = ""  # "年产{n}{unit}{product}项目" for manufacturing
    quantities: tuple[int, ...] = ()


INDUSTRY_WORDS: dict[str, IndustryWords] = {
    "new_materials": IndustryWords("新材料", ("高性能氟聚合物", "锂电池正极材料", "特种合金材料", "碳纤维复合材料",
                                            "电子级硅材料", "纳米涂层材料"), "吨", (500, 1000, 3000, 5000, 10000)),
    "new_energy": IndustryWords("新能源", ("光伏组件", "太阳能电池片", "风电叶片", "锂离子动力电池", "光伏玻璃"),
                                "兆瓦", (50, 100, 200, 300, 500)),
    "equipment": IndustryWords("机械", ("数控机床", "智能输送装备", "环保设备", "精密轴承", "电梯部件", "工程机械配件"),
                               "台（套）", (500, 1000, 2000, 5000)),
    "electronics": IndustryWords("电子", ("LED照明产品", "电子元器件", "智能电表", "光通信器件", "印制电路板",
                                         "电线电缆"), "万只", (100, 500, 1000, 3000)),
    "biomedicine": IndustryWords("生物医药", ("中药饮片", "原料药", "医疗器械", "生物制剂", "保健食品"),
                                 "吨", (50, 100, 300, 500)),
    "fluorosilicon": IndustryWords("氟硅化工", ("有机硅单体", "含氟精细化学品", "氟橡胶", "硅橡胶制品",
                                               "含氟新材料"), "万吨", (1, 2, 3, 5, 10)),
    "paper": IndustryWords("纸业", ("特种纸", "装饰原纸", "无碳复写纸", "卷烟配套用纸", "高档包装纸"),
                           "万吨", (3, 5, 8, 10, 20)),
    "building_materials": IndustryWords("建材", ("新型墙体材料", "节能门窗", "建筑陶瓷", "实木复合门",
                                                "商品混凝土"), "万平方米", (50, 100, 200, 500)),
    "auto_parts": IndustryWords("汽车部件", ("汽车空调压缩机", "汽车电子", "制动系统", "铝合金轮毂", "转向器"),
                                "万套", (10, 20, 50, 100)),
    "food": IndustryWords("食品", ("山茶油", "饮用天然水", "休闲食品", "冷冻食品", "胡柚深加工产品"),
                          "万吨", (1, 2, 5, 10)),
    "textiles": IndustryWords("纺织", ("高档面料", "品牌服装", "家用纺织品", "差别化化纤"),
                              "万米", (500, 1000, 2000)),
    "agriculture": IndustryWords("农业开发", ("有机茶园", "胡柚种植基地", "生态养殖基地", "中药材种植基地",
                                             "食用菌产业园")),
    "tourism": IndustryWords("旅游开发", ("景区开发", "生态度假村", "乡村旅游综合体", "温泉度假区", "主题酒店")),
    "logistics": IndustryWords("物流", ("现代物流园", "仓储配送中心", "冷链物流中心", "公路港")),
    "commerce": IndustryWords("商贸", ("商业综合体", "专业市场", "购物中心", "汽车城")),
    "finance": IndustryWords("投资", ("小额贷款公司", "融资担保公司", "股权投资基金", "村镇银行")),
    "real_estate": IndustryWords("置业", ("城市综合体", "商务楼宇", "总部经济园")),
    "education": IndustryWords("教育投资", ("民办学校", "职业技术学校", "双语幼儿园", "职业培训中心")),
    "health": IndustryWords("医疗投资", ("民营医院", "专科医院", "健康体检中心", "康复医院")),
    "elderly_care": IndustryWords("养老服务", ("养老院", "老年公寓", "颐养中心", "康养社区")),
}

CATEGORY_OF_INDUSTRY: dict[str, str] = {
    "agriculture": Category.AGRICULTURE,
    **{code: Category.SERVICE for code in ("tourism", "logistics", "commerce", "finance", "real_estate")},
    **{code: Category.SOCIAL for code in SOCIAL_INDUSTRIES},
}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭"
    "曾肖田董潘袁蔡蒋余叶程苏吕魏丁沈任姚卢傅钟姜汪陆金毛"
)
GIVEN_NAMES = _words(
    "建华 国强 伟 志刚 海峰 晓东 立新 永明 建军 春林 丽华 秀英 文斌 明辉 振宇 卫东 德忠 红梅 建平 国平 "
    "新民 伟民 庆丰 宏伟 正华 一鸣 胜利 学军 光明 晓燕 爱国 荣华 金水 根土 达"
)

INVESTOR_KINDS: dict[str, tuple[tuple[str, int], ...]] = {
    OOC: ((InvestorKind.PRIVATE, 55), (InvestorKind.LISTED, 18), (InvestorKind.PROVINCIAL_SOE, 10),
          (InvestorKind.CENTRAL_SOE, 5), (InvestorKind.OTHER, 12)),
    OOP: ((InvestorKind.PRIVATE, 55), (InvestorKind.LISTED, 20), (InvestorKind.CENTRAL_SOE, 12),
          (InvestorKind.OTHER, 13)),
    OVERSEAS: ((InvestorKind.FOREIGN, 1),),
    LOCAL: ((InvestorKind.PRIVATE, 70), (InvestorKind.LISTED, 5), (InvestorKind.OTHER, 25)),
}

CHANNEL_WEIGHTS: tuple[tuple[str, int], ...] = (
    (Channel.DIRECT, 30), (Channel.CHAMBER, 20), (Channel.REFERRAL, 18), (Channel.EVENT, 14),
    (Channel.ONLINE, 5), (Channel.VENTURE_CAPITAL, 3), (Channel.OTHER, 10),
)


# --- Buckets: the arithmetic behind the figures --------------------------------------------------------

@dataclass(frozen=True)
class Bucket:
    """Generated projects sharing a signing year, an origin and flags, with exact totals."""

    key: str
    signed_year: int
    count: int
    majors: int  # how many have total_investment ≥ 1 亿
    signed_total: int  # 万元, sum of signed_amount
    origin: str
    mountain_sea: bool = False
    returning_merchant: bool = False
    social: bool = False
    dropped: bool = False  # signed, then dropped in the same year
    event: str = ""  # all signed at this event (EventSpec.key)
    delivered: tuple[tuple[int, int], ...] = ()  # (year, 万元 delivered that year), oldest first
    stages: str = "any"  # "carry": not producing before YEAR; "done": producing within the signing year


B = Bucket
# Totals for 2011 (万元); named projects (华友, 根根, 欧派, 久阳) come on top, see _named_drafts:
#   signed_capital 4,320,000 = mountain-sea 3,000,000 (华友 600,000 + tx_ms 300,000 + ms 2,100,000)
#       + tx_rm 318,200 + gd 213,200 + rm 110,000 + op 240,000 + ov 70,000 + oc 320,600 + social_oc 25,000
#       + 久阳 15,000 + 欧派 8,000
#   major_projects 144 = 华友 1 + 7 + 83 + 10 + 8 + 5 + 12 + 3 + 12 + 1 + 久阳 1 + 欧派 1
#   mountain_sea 270 projects = 1 + 8 + 261; dropped ones (ms_dropped) never count
#   mountain_sea_delivered 710,000 = 华友 189,500 + 60,000 + 307,500 + ms_dropped 3,000 + ms_2010 150,000
#   returning_merchant_delivered 55,400 = tx_rm 20,000 + rm 15,000 + rm_2010 16,400 + 根根 4,000
#   out_of_province_delivered 394,500 = 55,400 + gd 60,000 + op 120,000 + op_dropped 11,100
#       + op_2010 140,000 + 久阳 8,000
#   delivered_capital 1,760,000 = 710,000 + 394,500 + ov 35,000 + oc 200,000 + social_oc 200
#       + oc_dropped 2,500 + ov_2010 20,000 + oc_2010 392,800 + 欧派 5,000
#   social_projects 22 = social_oc 3 + social_local 11 + social_carry 8 (signed 2010, 含上年结转)
#   social_delivered 350 = social_oc 200 + social_local 100 + social_carry 50
# The "tx" buckets are 天下浙商家乡行: 8 + 11 = 19 projects, 300,000 + 318,200 = 618,200 (61.82 亿);
# "gd" is the Guangdong fair: 13 projects, 213,200 (21.32 亿).
BUCKETS: tuple[Bucket, ...] = (
    B("tx_ms", 2011, 8, 7, 300_000, OOC, mountain_sea=True, event=TX, delivered=((2011, 60_000),)),
    B("ms", 2011, 261, 83, 2_100_000, OOC, mountain_sea=True, delivered=((2011, 307_500),)),
    B("tx_rm", 2011, 11, 10, 318_200, OOP, returning_merchant=True, event=TX, delivered=((2011, 20_000),)),
    B("gd", 2011, 13, 8, 213_200, OOP, event=GD, delivered=((2011, 60_000),)),
    B("rm", 2011, 12, 5, 110_000, OOP, returning_merchant=True, delivered=((2011, 15_000),)),
    B("op", 2011, 30, 12, 240_000, OOP, delivered=((2011, 120_000),)),
    B("ov", 2011, 5, 3, 70_000, OVERSEAS, delivered=((2011, 35_000),)),
    B("oc", 2011, 45, 12, 320_600, OOC, delivered=((2011, 200_000),)),
    B("social_oc", 2011, 3, 1, 25_000, OOC, social=True, delivered=((2011, 200),)),
    B("local", 2011, 40, 10, 300_000, LOCAL, delivered=((2011, 100_000),)),
    B("social_local", 2011, 11, 2, 40_000, LOCAL, social=True, delivered=((2011, 100),)),
    # Signed in 2011 and dropped: their signatures never count, their deliveries do.
    B("ms_dropped", 2011, 2, 1, 30_000, OOC, mountain_sea=True, dropped=True, delivered=((2011, 3_000),)),
    B("op_dropped", 2011, 1, 1, 20_000, OOP, dropped=True, delivered=((2011, 11_100),)),
    B("oc_dropped", 2011, 2, 1, 16_000, OOC, dropped=True, delivered=((2011, 2_500),)),
    B("local_dropped", 2011, 1, 0, 5_000, LOCAL, dropped=True),
    # 2010: last year's signings (for year-over-year) and the tranches they deliver in 2011.
    B("ms_2010", 2010, 100, 32, 1_800_000, OOC, mountain_sea=True, delivered=((2010, 550_000), (2011, 150_000))),
    B("op_2010", 2010, 35, 15, 400_000, OOP, delivered=((2010, 100_000), (2011, 140_000))),
    B("rm_2010", 2010, 10, 4, 80_000, OOP, returning_merchant=True, delivered=((2010, 25_000), (2011, 16_400))),
    B("ov_2010", 2010, 4, 2, 90_000, OVERSEAS, delivered=((2010, 30_000), (2011, 20_000))),
    B("oc_2010", 2010, 50, 20, 1_100_000, OOC, delivered=((2010, 300_000), (2011, 392_800))),
    B("local_2010", 2010, 24, 7, 260_000, LOCAL, delivered=((2010, 80_000), (2011, 60_000))),
    B("social_carry", 2010, 8, 1, 30_000, LOCAL, social=True, delivered=((2010, 300), (2011, 50)), stages="carry"),
    B("social_done", 2010, 2, 0, 3_000, LOCAL, social=True, delivered=((2010, 200),), stages="done"),
    B("social_dropped", 2010, 1, 0, 1_500, LOCAL, social=True, dropped=True),
    B("oc_dropped_2010", 2010, 3, 1, 25_000, OOC, dropped=True, delivered=((2010, 5_000),)),
)

LEADS, NEGOTIATING, DROPPED_UNSIGNED = 70, 45, 10


# --- Public API -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DemoSummary:
    counts: dict[str, int]
    figures: dict[str, Decimal]  # indicator code → 2011 value (万元 or projects)
    completion: dict[str, Decimal | None]  # indicator code → city completion %, None without a target


@transaction.atomic
def demo_load() -> DemoSummary:
    """Load the 2011 demo year into an empty database; all or nothing."""
    _ensure_empty()
    indicators = _indicators()
    rng = random.Random(SEED)
    units = _create_units()
    _create_targets(units, indicators)
    ctx = _Context(
        rng=rng,
        units=units,
        industries=_industries(),
        chambers=_create_chambers(),
        events=_create_events(units),
    )
    ctx.contacts = _create_contacts(ctx)
    ctx.parcels = _create_parcels(ctx)
    drafts = _all_drafts(ctx)
    _save_projects(drafts)
    _save_deliveries(drafts)
    _save_activities(ctx, drafts)
    figures, completion = demo_figures(YEAR)
    _verify(figures, completion)
    return DemoSummary(counts=_counts(), figures=figures, completion=completion)


def demo_figures(year: int) -> tuple[dict[str, Decimal], dict[str, Decimal | None]]:
    """The city's year-to-date figures and completion rates of a year, as the monthly report's own
    computation gives them for December (the tests prove the same figures with plain aggregates)."""
    city = [row for row in build_rows(year=year, month=12) if row.unit_id is None]
    rows = {row.indicator.code: row for row in city if row.indicator.code in FIGURES}
    return {code: rows[code].ytd_value for code in FIGURES}, {code: rows[code].completion_pct for code in FIGURES}


# --- Checks -----------------------------------------------------------------------------------------------

def _ensure_empty() -> None:
    # Chambers are checked too: their names are unique, so the demo's would collide with them.
    if Unit.objects.exists() or Project.objects.exists() or Chamber.objects.exists():
        raise DemoNotEmpty("数据库中已有责任单位、商会或项目：演示数据只能导入空数据库，未写入任何数据。")


def _indicators() -> dict[str, Indicator]:
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=list(FIGURES))}
    missing = [code for code in FIGURES if code not in indicators]
    if missing:
        raise DemoError(f"缺少标准指标：{', '.join(missing)}（请先执行 migrate）。")
    return indicators


def _industries() -> dict[str, Industry]:
    industries = {i.code: i for i in Industry.objects.filter(code__in=list(INDUSTRY_WORDS))}
    missing = [code for code in INDUSTRY_WORDS if code not in industries]
    if missing:
        raise DemoError(f"缺少产业：{', '.join(missing)}（请先执行 migrate）。")
    return industries


def _verify(figures: dict[str, Decimal], completion: dict[str, Decimal | None]) -> None:
    wrong = [f"{code}={figures[code]}（应为 {FIGURES[code]}）" for code in FIGURES if figures[code] != FIGURES[code]]
    wrong += [
        f"{code} 完成率 {completion[code]}%（应为 {pct}%）"
        for code, pct in COMPLETION.items()
        if completion[code] != Decimal(pct)
    ]
    if wrong:
        raise DemoError("演示数据与 2011 年实绩不符，已回滚：" + "；".join(wrong))


def _counts() -> dict[str, int]:
    return {
        "units": Unit.objects.count(),
        "targets": Target.objects.count(),
        "chambers": Chamber.objects.count(),
        "contacts": Contact.objects.count(),
        "agreements": Agreement.objects.count(),
        "events": Event.objects.count(),
        "parcels": Parcel.objects.count(),
        "projects": Project.objects.count(),
        "deliveries": CapitalDelivery.objects.count(),
        "activities": Activity.objects.count(),
    }


# --- Units, targets, chambers, events, parcels ---------------------------------------------------------

def _clean_all(objects: Sequence) -> None:
    """Every object obeys the model rules, exactly as if a user had entered it."""
    for obj in objects:
        obj.full_clean()


def _create_units() -> dict[str, Unit]:
    units = [Unit(code=s.code, name=s.name, kind=s.kind, group=s.group) for s in UNITS]
    _clean_all(units)
    bulk_create_with_history(units, Unit, default_change_reason=HISTORY_REASON)
    return {unit.code: unit for unit in Unit.objects.all()}


def _create_targets(units: dict[str, Unit], indicators: dict[str, Indicator]) -> None:
    targets = [
        Target(year=YEAR, indicator=indicators[code], unit=None, value=Decimal(value))
        for code, value in CITY_TARGETS.items()
    ]
    for spec in UNITS:
        targets += [
            Target(year=YEAR, indicator=indicators[code], unit=units[spec.code],
                   value=_unit_target(CITY_TARGETS[code], spec.share, indicators[code].is_amount))
            for code in spec.indicators
        ]
    _clean_all(targets)
    bulk_create_with_history(targets, Target, default_change_reason=HISTORY_REASON)


def _unit_target(city: int, share: float, is_amount: bool) -> Decimal:
    """A unit's share of the city target, rounded the way a bureau writes targets down."""
    raw = Decimal(city) * Decimal(str(share))
    if not is_amount:
        return max(Decimal(1), raw.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    step = Decimal(500) if raw >= MAJOR else Decimal(10)
    return max(Decimal(10), (raw / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step)


def _create_chambers() -> list[Chamber]:
    chambers = [Chamber(name=s.name, kind=s.kind, region=s.region) for s in CHAMBERS]
    _clean_all(chambers)
    chambers = Chamber.objects.bulk_create(chambers)
    agreements = []
    for spec, chamber in zip(CHAMBERS, chambers, strict=True):
        if spec.strategic_on:
            agreements.append(_agreement(chamber, Agreement.Kind.STRATEGIC_FRAMEWORK, spec.strategic_on,
                                         f"衢州市人民政府与{chamber.name}战略合作框架协议"))
        if spec.cooperation_on:
            agreements.append(_agreement(chamber, Agreement.Kind.COOPERATION, spec.cooperation_on,
                                         f"衢州市招商局与{chamber.name}招商合作协议"))
    _clean_all(agreements)
    Agreement.objects.bulk_create(agreements)
    return chambers


def _agreement(chamber: Chamber, kind: str, signed_on: dt.date, title: str) -> Agreement:
    # Agreements run three years.
    expires = signed_on.replace(year=signed_on.year + 3) - dt.timedelta(days=1)
    return Agreement(chamber=chamber, kind=kind, signed_on=signed_on, expires_on=expires, title=title)


def _create_events(units: dict[str, Unit]) -> dict[str, Event]:
    events = [
        Event(name=s.name, kind=s.kind, starts_on=s.starts_on, ends_on=s.ends_on, location=s.location,
              organizer=units[s.organizer], invited_count=s.invited_count, notes=s.notes)
        for s in EVENTS
    ]
    _clean_all(events)
    Event.objects.bulk_create(events)
    return {spec.key: event for spec, event in zip(EVENTS, events, strict=True)}


def _create_contacts(ctx: "_Context") -> dict[int | None, list[Contact]]:
    """Officers of every chamber, and intermediaries of no chamber (the key None)."""
    rng = ctx.rng
    contacts: list[Contact] = []
    for chamber in ctx.chambers:
        titles = ("会长", "常务副会长", "秘书长") if chamber.kind == ZJ else ("会长", "秘书长")
        contacts += [
            Contact(name=_person(rng), chamber=chamber, title=title,
                    organization=_company(rng, OOC if chamber.region in REGIONS[OOC] else OOP,
                                          InvestorKind.PRIVATE, rng.choice(list(INDUSTRY_WORDS))))
            for title in titles
        ]
    contacts += [
        Contact(name=_person(rng), title="总经理",
                organization=f"{rng.choice(REGIONS[OOC] + REGIONS[OOP])}{rng.choice(BRANDS)}投资咨询有限公司",
                notes="以商引商中介")
        for _ in range(15)
    ]
    _clean_all(contacts)
    Contact.objects.bulk_create(contacts)
    by_chamber: dict[int | None, list[Contact]] = {}
    for contact in contacts:
        by_chamber.setdefault(contact.chamber_id, []).append(contact)
    return by_chamber


def _create_parcels(ctx: "_Context") -> dict[str, Parcel]:
    parcels = [
        Parcel(code=s.code, name=s.name, unit=ctx.units[s.unit], area_mu=Decimal(s.area_mu),
               location=f"{UNIT_SPECS[s.unit].name}{s.name}", status=s.status,
               requirements=f"限{'、'.join(ctx.industries[c].name for c in s.industries)}项目，"
                            f"投资强度不低于{s.intensity}万元/亩，亩均税收不低于{s.tax_per_mu}万元。",
               min_investment_intensity=Decimal(s.intensity), min_tax_per_mu=Decimal(s.tax_per_mu),
               published=s.published_on is not None, published_on=s.published_on)
        for s in PARCELS
    ]
    _clean_all(parcels)
    Parcel.objects.bulk_create(parcels)
    Through = Parcel.industries.through
    Through.objects.bulk_create([
        Through(parcel=parcel, industry=ctx.industries[code])
        for spec, parcel in zip(PARCELS, parcels, strict=True)
        for code in spec.industries
    ])
    return {parcel.code: parcel for parcel in parcels}


# --- Projects ------------------------------------------------------------------------------------------

@dataclass
class _Context:
    rng: random.Random
    units: dict[str, Unit]
    industries: dict[str, Industry]
    chambers: list[Chamber]
    events: dict[str, Event]
    contacts: dict[int | None, list[Contact]] = field(default_factory=dict)
    parcels: dict[str, Parcel] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)  # project names already used: each is unique

    def events_of(self, year: int) -> list[Event]:
        """Events a generated project may be credited to; TX and GD have exactly their own buckets."""
        return [e for key, e in self.events.items() if key not in (TX, GD) and e.starts_on.year == year]


@dataclass
class _Draft:
    """A project about to be written, with the tranches it will receive."""

    project: Project
    tranches: list[tuple[dt.date, int]] = field(default_factory=list)

    def capacity(self) -> int:
        # Nobody delivers more than the project's total investment.
        return int(self.project.total_investment) - sum(amount for _, amount in self.tranches)

    def window(self, year: int) -> tuple[dt.date, dt.date] | None:
        """Dates in `year` a tranche may carry: after signing, and before dropping."""
        p = self.project
        if p.signed_on is None:
            return None
        start = max(p.signed_on, dt.date(year, 1, 1))
        end = min(dt.date(year, 12, 31), p.dropped_on or dt.date(year, 12, 31))
        return (start, end) if start <= end else None


def _all_drafts(ctx: _Context) -> list[_Draft]:
    drafts = _named_drafts(ctx)
    for bucket in BUCKETS:
        drafts += _bucket_drafts(ctx, bucket)
    drafts += [_Draft(p) for p in _pipeline_projects(ctx)]
    return drafts


def _bucket_drafts(ctx: _Context, bucket: Bucket) -> list[_Draft]:
    amounts = _split_signed(ctx.rng, bucket.signed_total, bucket.count, bucket.majors, bucket.key)
    drafts = [_Draft(_bucket_project(ctx, bucket, signed, major)) for signed, major in amounts]
    for year, total in bucket.delivered:
        _deliver(ctx.rng, drafts, year, total, bucket.key)
    return drafts


def _bucket_project(ctx: _Context, bucket: Bucket, signed: int, major: bool) -> Project:
    rng = ctx.rng
    event = ctx.events[bucket.event] if bucket.event else None
    project = _new_project(
        ctx, origin=bucket.origin, social=bucket.social, mountain_sea=bucket.mountain_sea,
        returning_merchant=bucket.returning_merchant, total=_total_investment(rng, signed, major),
    )
    project.signed_amount = Decimal(signed)
    project.signed_on = _signing_date(rng, bucket, event)
    if bucket.dropped:
        project.stage = Stage.DROPPED
        project.dropped_on = _random_date(rng, project.signed_on + dt.timedelta(days=30),
                                          dt.date(bucket.signed_year, 12, 31))
        project.notes = "投资方资金链紧张，项目终止。"
    else:
        _progress(rng, project, bucket.stages)
    _assign_channel(ctx, project, event)
    return project


def _new_project(ctx: _Context, *, origin: str, social: bool, mountain_sea: bool, returning_merchant: bool,
                 total: int) -> Project:
    """A project's identity: who, where, what; stages and dates are the caller's."""
    rng = ctx.rng
    unit = _pick_unit(rng, social)
    industry = _pick_industry(rng, unit, social)
    kinds = INVESTOR_KINDS[origin] if not social else ((InvestorKind.PRIVATE, 60), (InvestorKind.OTHER, 40))
    investor_kind = _weighted(rng, kinds)
    notes = ""
    if returning_merchant:
        notes = f"在外浙商（{rng.choice(('江山', '龙游', '常山', '开化', '衢州'))}籍）回乡投资。"
    elif mountain_sea:
        notes = "山海协作结对项目。"
    return Project(
        name=_project_name(ctx, industry, unit.place),
        investor=_company(rng, origin, investor_kind, industry),
        investor_kind=investor_kind,
        unit=ctx.units[unit.code],
        industry=ctx.industries[industry],
        category=CATEGORY_OF_INDUSTRY.get(industry, Category.INDUSTRIAL),
        origin=origin,
        returning_merchant=returning_merchant,
        mountain_sea=mountain_sea,
        total_investment=Decimal(total),
        land_area_mu=_land(rng, industry, total),
        # A few projects are kept confidential at the investor's request.
        confidential=rng.random() < 0.04,
        notes=notes,
    )


def _pick_unit(rng: random.Random, social: bool) -> UnitSpec:
    # Social projects belong to the counties or to the education and health bureaus; zones have none.
    if social:
        specs = [s for s in UNITS if s.social or s.kind == COUNTY]
    else:
        specs = [s for s in UNITS if not s.social]
    return _weighted(rng, [(s, s.weight) for s in specs])


def _pick_industry(rng: random.Random, unit: UnitSpec, social: bool) -> str:
    if social:
        return rng.choice(unit.industries if unit.social else SOCIAL_INDUSTRIES)
    return rng.choice(unit.industries)


def _signing_date(rng: random.Random, bucket: Bucket, event: Event | None) -> dt.date:
    if event:
        return _random_date(rng, event.starts_on, event.ends_on or event.starts_on)
    # Dropped projects need time to fail in their year; "done" social ones time to open.
    last_month = 9 if bucket.dropped else 4 if bucket.stages == "done" else 12
    year = bucket.signed_year
    return _random_date(rng, dt.date(year, 1, 1), _month_end(year, last_month))


def _progress(rng: random.Random, project: Project, policy: str) -> None:
    """Construction and production dates as they stood at the end of YEAR."""
    signed_on = project.signed_on
    started = producing = None
    if policy == "done":
        started = signed_on + dt.timedelta(days=rng.randint(20, 50))
        producing = started + dt.timedelta(days=rng.randint(60, 150))
    elif (YEAR_END - signed_on).days > 45 and rng.random() < 0.55:
        started = signed_on + dt.timedelta(days=rng.randint(15, min((YEAR_END - signed_on).days, 300)))
        left = (YEAR_END - started).days
        if left > 90 and rng.random() < 0.45:
            producing = started + dt.timedelta(days=rng.randint(60, min(left, 540)))
    if policy == "carry" and producing and producing.year < YEAR:
        # Carried-over social projects must still be under way when the year begins.
        producing = _random_date(rng, dt.date(YEAR, 1, 1), dt.date(YEAR, 11, 30))
    project.started_on, project.producing_on = started, producing
    project.stage = Stage.PRODUCING if producing else Stage.STARTED if started else Stage.SIGNED


def _assign_channel(ctx: _Context, project: Project, event: Event | None) -> None:
    rng = ctx.rng
    if event:
        project.channel, project.event = Channel.EVENT, event
        return
    channel = _weighted(rng, CHANNEL_WEIGHTS)
    year = project.signed_on.year if project.signed_on else YEAR
    if channel == Channel.EVENT:
        # Credited to an event the investor could have attended before signing.
        events = [e for e in ctx.events_of(year) if not project.signed_on or e.starts_on <= project.signed_on]
        if events:
            project.event = rng.choice(events)
        else:
            channel = Channel.DIRECT
    elif channel == Channel.CHAMBER:
        # Returning merchants come through the chambers of Zhejiang merchants outside the province.
        pool = [c for c in ctx.chambers if c.kind == ZJ] if project.returning_merchant else ctx.chambers
        project.chamber = rng.choice(pool)
        if rng.random() < 0.6:
            project.introduced_by = rng.choice(ctx.contacts[project.chamber.pk])
    elif channel == Channel.REFERRAL:
        project.introduced_by = rng.choice(ctx.contacts[None])
    project.channel = channel


def _pipeline_projects(ctx: _Context) -> list[Project]:
    """Leads, negotiations and projects dropped before signing: none of them counts anywhere."""
    rng = ctx.rng
    projects = []
    stages = [Stage.LEAD] * LEADS + [Stage.NEGOTIATING] * NEGOTIATING + [Stage.DROPPED] * DROPPED_UNSIGNED
    for stage in stages:
        origin = _weighted(rng, ((OOC, 45), (OOP, 30), (OVERSEAS, 5), (LOCAL, 20)))
        project = _new_project(
            ctx, origin=origin, social=rng.random() < 0.1,
            mountain_sea=origin == OOC and rng.random() < 0.4,
            returning_merchant=origin == OOP and rng.random() < 0.4,
            total=_round_to(rng.triangular(1_000, 120_000, 8_000), 100),
        )
        project.stage = stage
        if stage == Stage.DROPPED:
            project.dropped_on = _random_date(rng, dt.date(YEAR, 3, 1), YEAR_END)
            project.notes = "洽谈未果，投资方另选址。"
        else:
            project.next_follow_up_on = _random_date(rng, dt.date(YEAR + 1, 1, 4), dt.date(YEAR + 1, 2, 28))
        _assign_channel(ctx, project, None)
        projects.append(project)
    _add_event_followups(ctx, projects)
    return projects


def _add_event_followups(ctx: _Context, projects: list[Project]) -> None:
    """Some investors met at the two big events are still negotiating: they must not count as signed."""
    negotiating = [p for p in projects if p.stage == Stage.NEGOTIATING]
    for project, key in zip(negotiating[:3], (TX, TX, GD), strict=True):
        project.channel, project.event, project.chamber, project.introduced_by = (
            Channel.EVENT, ctx.events[key], None, None,
        )


# --- The named projects of DESIGN §1 ----------------------------------------------------------------------

def _named_drafts(ctx: _Context) -> list[_Draft]:
    units, industries = ctx.units, ctx.industries
    huayou = _Draft(
        Project(
            name="华友钴业电池材料项目", investor="浙江华友钴业股份有限公司", investor_kind=InvestorKind.LISTED,
            unit=units["hitech_zone"], industry=industries["new_materials"], category=Category.INDUSTRIAL,
            origin=OOC, mountain_sea=True, channel=Channel.DIRECT, stage=Stage.STARTED,
            total_investment=Decimal(600_000), signed_amount=Decimal(600_000), signed_on=dt.date(2011, 4, 16),
            started_on=dt.date(2011, 6, 28), land_area_mu=Decimal(700), parcel=ctx.parcels[HUAYOU_PARCEL],
            notes="【重点】总投资60亿元，分期建设；一期投资18.95亿元，用地700亩。",
        ),
        [(dt.date(2011, 5, 20), 50_000), (dt.date(2011, 8, 15), 60_000),
         (dt.date(2011, 10, 28), 45_000), (dt.date(2011, 12, 20), 34_500)],
    )
    genggen = _Draft(
        Project(
            name="根根陶瓷项目", investor="佛山市根根陶瓷有限公司", investor_kind=InvestorKind.PRIVATE,
            unit=units["jiangshan"], industry=industries["building_materials"], category=Category.INDUSTRIAL,
            origin=OOP, returning_merchant=True, channel=Channel.CHAMBER, chamber=_chamber(ctx, "广东浙江商会"),
            stage=Stage.PRODUCING, total_investment=Decimal(11_000), signed_amount=Decimal(11_000),
            signed_on=dt.date(2009, 11, 20), started_on=dt.date(2010, 3, 18), producing_on=dt.date(2011, 6, 28),
            land_area_mu=Decimal(120), notes="【重点】在粤江山籍浙商回归项目。",
        ),
        [(dt.date(2010, 4, 15), 3_000), (dt.date(2010, 9, 30), 2_500),
         (dt.date(2011, 3, 20), 2_500), (dt.date(2011, 8, 15), 1_500)],
    )
    oupai = _Draft(
        Project(
            name="欧派门业年产60万套实木复合门项目", investor="江山欧派门业有限公司",
            investor_kind=InvestorKind.PRIVATE, unit=units["jiangshan"], industry=industries["building_materials"],
            category=Category.INDUSTRIAL, origin=OOC, channel=Channel.VENTURE_CAPITAL, stage=Stage.STARTED,
            total_investment=Decimal(12_000), signed_amount=Decimal(8_000), signed_on=dt.date(2011, 7, 8),
            started_on=dt.date(2011, 9, 1), land_area_mu=Decimal(80),
            notes="【重点】杭州创投机构注资，资金来源市外。",
        ),
        [(dt.date(2011, 9, 10), 3_000), (dt.date(2011, 12, 5), 2_000)],
    )
    jiuyang = _Draft(
        Project(
            name="久阳光电LED照明产业化项目", investor="浙江久阳光电科技有限公司",
            investor_kind=InvestorKind.PRIVATE, unit=units["jiangshan"], industry=industries["electronics"],
            category=Category.INDUSTRIAL, origin=OOP, channel=Channel.VENTURE_CAPITAL, stage=Stage.STARTED,
            total_investment=Decimal(20_000), signed_amount=Decimal(15_000), signed_on=dt.date(2011, 3, 25),
            started_on=dt.date(2011, 5, 6), land_area_mu=Decimal(65),
            notes="【重点】深圳创投机构领投，资金来源省外。",
        ),
        [(dt.date(2011, 6, 20), 5_000), (dt.date(2011, 10, 18), 3_000)],
    )
    named = [huayou, genggen, oupai, jiuyang]
    ctx.names.update(d.project.name for d in named)
    return named


def _chamber(ctx: _Context, name: str) -> Chamber:
    return next(c for c in ctx.chambers if c.name == name)


# --- Amounts ---------------------------------------------------------------------------------------------

def _split_signed(rng: random.Random, total: int, count: int, majors: int, key: str) -> list[tuple[int, bool]]:
    """`count` signed amounts summing to `total`; `majors` of them for projects of 1 亿 or more."""
    if majors == 0:
        parts = _split_int(rng, total, count, 10)
        if max(parts) >= MAJOR:
            raise DemoError(f"桶 {key}：小项目金额超过 1 亿。")
        return [(part, False) for part in parts]
    smalls = [_round_to(rng.triangular(300, 9_800, 1_500), 10) for _ in range(count - majors)]
    room = total - majors * MAJOR * 6 // 5  # leave the majors at least 1.2 亿 on average
    if sum(smalls) > room:
        smalls = [max(100, _round_to(s * room / sum(smalls), 10)) for s in smalls]
    budget = total - sum(smalls)
    if budget < majors * MAJOR:
        raise DemoError(f"桶 {key}：协议额不足以支撑 {majors} 个亿元以上项目。")
    weights = [rng.paretovariate(1.5) for _ in range(majors)]
    extra = budget - majors * MAJOR
    bigs = [MAJOR + _round_to(extra * w / sum(weights), 100) for w in weights[:-1]]
    bigs.append(budget - sum(bigs))  # the last one absorbs the rounding: the sum is exact
    if bigs[-1] <= 0:
        raise DemoError(f"桶 {key}：金额分配失败。")
    pairs = [(s, False) for s in smalls] + [(b, True) for b in bigs]
    rng.shuffle(pairs)
    return pairs


def _total_investment(rng: random.Random, signed: int, major: bool) -> int:
    """Total investment ≥ signed amount, and on the right side of 1 亿."""
    factor = rng.choice((1, 1, 1, 1.1, 1.2, 1.5))
    if major:
        return max(_round_up(max(signed, MAJOR) * factor, 100), signed)
    return max(min(_round_up(signed * factor, 10), MAJOR - 10), signed)


def _deliver(rng: random.Random, drafts: list[_Draft], year: int, total: int, key: str) -> None:
    """Spread `total` 万元 of `year` over some of the bucket's projects, in tranches."""
    eligible = [d for d in drafts if d.window(year) and d.capacity() > 0]
    rng.shuffle(eligible)
    # Most projects receive something; small totals go to a few projects, not crumbs to many.
    count = max(1, min(round(len(eligible) * 0.75), total // 50))
    while sum(d.capacity() for d in eligible[:count]) < total and count < len(eligible):
        count += 1
    chosen = eligible[:count]
    if sum(d.capacity() for d in chosen) < total:
        raise DemoError(f"桶 {key}：{year} 年到位资金超过项目总投资。")
    weights = [float(d.project.signed_amount) * rng.uniform(0.4, 1.0) for d in chosen]
    shares = _water_fill(total, weights, [d.capacity() for d in chosen])
    for draft, share in zip(chosen, shares, strict=True):
        if share:
            draft.tranches += _tranches(rng, share, *draft.window(year))


def _water_fill(total: int, weights: list[float], caps: list[int]) -> list[int]:
    """Integers proportional to `weights`, none above its cap, summing exactly to `total`."""
    fixed: dict[int, int] = {}
    while True:
        free = [i for i in range(len(weights)) if i not in fixed]
        rest = total - sum(fixed.values())
        weight = sum(weights[i] for i in free)
        over = [i for i in free if rest * weights[i] / weight > caps[i]] if free else []
        if not over:
            break
        fixed.update({i: caps[i] for i in over})
    exact = [fixed[i] if i in fixed else rest * weights[i] / weight for i in range(len(weights))]
    shares = [min(caps[i], int(x)) for i, x in enumerate(exact)]
    # Hand the rounding remainder out one 万 at a time, largest fraction first.
    order = sorted(range(len(shares)), key=lambda i: (shares[i] - exact[i], i))
    short = total - sum(shares)
    while short > 0:
        for i in order:
            if short and shares[i] < caps[i]:
                shares[i] += 1
                short -= 1
    return shares


def _tranches(rng: random.Random, amount: int, start: dt.date, end: dt.date) -> list[tuple[dt.date, int]]:
    count = min(rng.choice((1, 2, 2, 2, 3, 4)), amount)
    parts = _split_int(rng, amount, count, 10 if amount >= 20 * count else 1)
    dates = sorted(_random_date(rng, start, end) for _ in parts)
    return list(zip(dates, parts, strict=True))


def _split_int(rng: random.Random, total: int, count: int, step: int) -> list[int]:
    """A random composition of `total` into `count` positive parts, multiples of `step` but the last."""
    units = total // step
    if units < count:
        step, units = 1, total
    cuts = sorted(rng.sample(range(1, units), count - 1))
    parts = [(b - a) * step for a, b in zip([0, *cuts], [*cuts, units], strict=True)]
    parts[-1] += total - units * step
    return parts


def _land(rng: random.Random, industry: str, total: int) -> Decimal | None:
    """Land in 亩 at a plausible investment intensity; finance and some others take none."""
    if industry in ("finance", "real_estate") or rng.random() < 0.25:
        return None
    intensity = 60 if industry in ("agriculture", "tourism") else rng.choice((180, 220, 260, 300, 350))
    return max(Decimal("5.0"), (Decimal(total) / intensity).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# --- Deliveries and activities -----------------------------------------------------------------------------

def _save_projects(drafts: list[_Draft]) -> None:
    projects = [d.project for d in drafts]
    _clean_all(projects)
    created = bulk_create_with_history(projects, Project, default_change_reason=HISTORY_REASON)
    for draft, project in zip(drafts, created, strict=True):
        draft.project = project


def _save_deliveries(drafts: list[_Draft]) -> None:
    deliveries = [
        CapitalDelivery(project=d.project, delivered_on=on, amount=Decimal(amount), note=_delivery_note(i))
        for d in drafts
        for i, (on, amount) in enumerate(sorted(d.tranches))
    ]
    _clean_all(deliveries)
    bulk_create_with_history(deliveries, CapitalDelivery, default_change_reason=HISTORY_REASON)


def _delivery_note(index: int) -> str:
    return "首笔注册资本到位" if index == 0 else f"第{index + 1}笔资金到位"


VISIT_NOTES = ("介绍投资环境和产业扶持政策，对方有意向", "了解企业扩张计划，推介我市可供地块", "对接项目落地条件")
NEXT_STEPS = ("安排实地考察", "提交项目可行性研究报告", "协调用地指标", "准备签约材料", "跟踪办理环评手续",
              "督促资金按协议到位", "协调施工许可", "召开项目推进会")


def _save_activities(ctx: _Context, drafts: list[_Draft]) -> None:
    activities = [a for d in drafts for a in _activities_for(ctx.rng, d.project)]
    _clean_all(activities)
    Activity.objects.bulk_create(activities)


def _activities_for(rng: random.Random, project: Project) -> list[Activity]:
    """The follow-up timeline: courting before signing, then construction, or the end."""
    entries: list[tuple[dt.date, str, str]] = []
    if project.signed_on:
        for day in _dates(rng, rng.randint(0, 1), project.signed_on - dt.timedelta(days=150),
                          project.signed_on - dt.timedelta(days=1)):
            entries.append(_courting(rng, project, day))
        if project.event:
            entries.append((project.signed_on, Activity.Kind.EVENT,
                            f"在{project.event.name}上与{project.investor}签订投资协议。"))
        else:
            entries.append((project.signed_on, Activity.Kind.MEETING, f"与{project.investor}正式签订投资协议。"))
        if project.stage != Stage.DROPPED:
            for day in _dates(rng, rng.randint(0, 1), project.signed_on + dt.timedelta(days=7), YEAR_END):
                entries.append((day, Activity.Kind.VISIT, "走访项目现场，了解建设进度和资金到位情况。"))
    else:
        count = 1 + rng.randint(0, 1) + (1 if project.stage == Stage.NEGOTIATING else 0)
        for day in _dates(rng, count, dt.date(YEAR, 1, 10), project.dropped_on or dt.date(YEAR, 12, 20)):
            entries.append(_courting(rng, project, day))
    if project.stage == Stage.DROPPED:
        entries.append((project.dropped_on, Activity.Kind.CALL, f"{project.investor}确认终止项目，做好后续服务。"))
    return [_activity(rng, project, day, kind, summary) for day, kind, summary in entries]


def _courting(rng: random.Random, project: Project, day: dt.date) -> tuple[dt.date, str, str]:
    kind = rng.choice((Activity.Kind.VISIT, Activity.Kind.RECEPTION, Activity.Kind.MEETING, Activity.Kind.CALL))
    summary = {
        Activity.Kind.VISIT: f"上门拜访{project.investor}，{rng.choice(VISIT_NOTES)}。",
        Activity.Kind.RECEPTION: f"{project.investor}一行来{project.unit.name}考察，实地察看项目选址。",
        Activity.Kind.MEETING: f"与{project.investor}就{project.name}的用地、投资强度和建设周期进行洽谈。",
        Activity.Kind.CALL: f"电话联系{project.investor}，了解项目决策进展。",
    }[kind]
    return day, kind, summary


def _activity(rng: random.Random, project: Project, day: dt.date, kind: str, summary: str) -> Activity:
    last = project.dropped_on == day
    return Activity(
        project=project, contact=project.introduced_by, kind=kind, happened_on=day, summary=summary,
        next_action="" if last else rng.choice(NEXT_STEPS),
        next_action_on=None if last else day + dt.timedelta(days=rng.randint(7, 45)),
    )


# --- Small helpers -------------------------------------------------------------------------------------------

def _weighted(rng: random.Random, choices: Sequence[tuple[T, int]]) -> T:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _dates(rng: random.Random, count: int, start: dt.date, end: dt.date) -> list[dt.date]:
    if start > end:
        return []
    return sorted(_random_date(rng, start, end) for _ in range(count))


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _round_to(value: float, step: int) -> int:
    return max(step, int(round(value / step)) * step)


def _round_up(value: float, step: int) -> int:
    return -(-int(value) // step) * step


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def _company(rng: random.Random, origin: str, kind: str, industry: str) -> str:
    brand, word = rng.choice(BRANDS), INDUSTRY_WORDS[industry].company
    if kind == InvestorKind.CENTRAL_SOE:
        return f"中国{brand}{word}集团有限公司"
    if kind == InvestorKind.PROVINCIAL_SOE:
        return f"浙江省{brand}{word}集团有限公司"
    suffix = "股份有限公司" if kind == InvestorKind.LISTED else "有限公司"
    return f"{rng.choice(REGIONS[origin])}{brand}{word}{suffix}"


def _project_name(ctx: _Context, industry: str, place: str) -> str:
    """A realistic and unique project name, e.g. 年产5万吨特种纸项目 or 江山金瑞生态度假村项目."""
    rng, words = ctx.rng, INDUSTRY_WORDS[industry]
    for _ in range(30):
        product, brand = rng.choice(words.products), rng.choice(BRANDS)
        patterns = [f"{brand}{product}项目", f"{place}{brand}{product}项目"]
        if words.quantity_unit:  # manufacturing: capacity and expansions are how projects are named
            patterns += [f"年产{rng.choice(words.quantities)}{words.quantity_unit}{product}项目"] * 2
            patterns += [f"{brand}{product}扩建项目"]
        name = rng.choice(patterns)
        if name not in ctx.names:
            break
    else:
        name = f"{place}{brand}{product}二期项目"
    while name in ctx.names:
        name = name.removesuffix("项目") + "（续建）项目"
    ctx.names.add(name)
    return name
