"""Words for realistic names: brands, places, what each industry makes, and people.

Generated projects, investors and contacts are named from these lists (e.g. 年产5万吨特种纸项目,
杭州金瑞纸业有限公司), drawn by the generator's seeded random source.
"""

from dataclasses import dataclass

from .city import LOCAL, OOC, OOP, OVERSEAS


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

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭"
    "曾肖田董潘袁蔡蒋余叶程苏吕魏丁沈任姚卢傅钟姜汪陆金毛"
)
GIVEN_NAMES = _words(
    "建华 国强 伟 志刚 海峰 晓东 立新 永明 建军 春林 丽华 秀英 文斌 明辉 振宇 卫东 德忠 红梅 建平 国平 "
    "新民 伟民 庆丰 宏伟 正华 一鸣 胜利 学军 光明 晓燕 爱国 荣华 金水 根土 达"
)

# The follow-up records: what a courting visit found, and what comes next.
VISIT_NOTES = ("介绍投资环境和产业扶持政策，对方有意向", "了解企业扩张计划，推介我市可供地块", "对接项目落地条件")
NEXT_STEPS = ("安排实地考察", "提交项目可行性研究报告", "协调用地指标", "准备签约材料", "跟踪办理环评手续",
              "督促资金按协议到位", "协调施工许可", "召开项目推进会")
