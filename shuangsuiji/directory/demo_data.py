"""A synthetic 舞钢市 for demonstrations and benchmarks (``manage.py seed_demo``).

Everything comes from ``random.Random`` instances seeded from ``--seed`` (never the global generator, never the clock),
so the same seed gives the same objects, inspectors and items. Dates that must stay meaningful as time passes
(certificate and licence validity) are placed relative to ``today``, which the caller may pin.

The generator scales to tens of millions of objects: rows are produced in chunks and written with ``bulk_create``
(SQLite) or ``COPY`` (PostgreSQL, psycopg 3); unique 统一社会信用代码 come from a bijection of the row index, so no set
of issued codes is kept in memory.
"""

from __future__ import annotations

import datetime
import itertools
import json
import random
import time
from bisect import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from operator import mul
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from shuangsuiji.bulk import bulk_insert
from shuangsuiji.codes.idcard import id_check_char
from shuangsuiji.codes.uscc import ALPHABET, WEIGHTS

from .models import (
    CheckItem,
    CheckItemVersion,
    Conflict,
    InspectionObject,
    Inspector,
    InspectorStatus,
    ItemCategory,
    Licence,
    ObjectKind,
    RegStatus,
    RiskClass,
    Supervision,
)

DEFAULT_ENTITIES = 40_000
DEFAULT_SEED = 2026
CHUNK = 20_000
VERSION_REASON = "初始导入（演示数据）"
CITY = "舞钢市"
CITY_CODE = "410481"

# --- 统一社会信用代码: unique by construction ---------------------------------------------------------------------

_VAL = {c: i for i, c in enumerate(ALPHABET)}
_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _coprime_multiplier(rng: random.Random, modulus: int, primes: tuple[int, ...]) -> int:
    while True:
        a = rng.randrange(modulus // 3, modulus)
        if all(a % p for p in primes):
            return a


class _IndexPermutation:
    """A keyed bijection of [0, base**digits): affine, swap of the high and low digit groups, affine.

    Each step is a bijection, so distinct indices give distinct codes; the result looks random enough for demo data.
    """

    def __init__(self, rng: random.Random, base: int, digits: int, primes: tuple[int, ...]):
        self.base, self.digits = base, digits
        self.m = base**digits
        self.lo = base ** (digits // 2)  # size of the low group
        self.hi = self.m // self.lo
        self.a1, self.b1 = _coprime_multiplier(rng, self.m, primes), rng.randrange(self.m)
        self.a2, self.b2 = _coprime_multiplier(rng, self.m, primes), rng.randrange(self.m)

    def __call__(self, i: int) -> list[int]:
        base = self.base
        h, low = divmod((self.a1 * i + self.b1) % self.m, self.lo)
        y = (self.a2 * (low * self.hi + h) + self.b2) % self.m
        res = [0] * self.digits
        for k in range(self.digits - 1, -1, -1):
            y, res[k] = divmod(y, base)
        return res


class USCCFactory:
    """统一社会信用代码 91/92/93 410481 …: the organisation part is a keyed bijection of the object's index."""

    def __init__(self, seed: int):
        rng = random.Random(f"uscc:{seed}")
        self.new = _IndexPermutation(rng, 31, 7, (31,))  # "MA" + 7 characters: issued since 2015
        self.old = _IndexPermutation(rng, 10, 8, (2, 5))  # 8-digit 组织机构代码 + GB 11714 check: before 2015
        # The weighted sum of chars 1–8 for each kind digit, and of "MA" at chars 9–10.
        self.prefix_sum = {
            k: sum(_VAL[c] * w for c, w in zip(f"9{k}{CITY_CODE}", WEIGHTS[:8], strict=True)) for k in "123"
        }
        self.ma_sum = _VAL["M"] * WEIGHTS[8] + _VAL["A"] * WEIGHTS[9]
        self.new_weights = WEIGHTS[10:17]
        self.old_weights = WEIGHTS[8:16]

    def make(self, kind_digit: str, index: int, old_style: bool) -> str:
        total = self.prefix_sum[kind_digit]
        if old_style:
            d = self.old(index)
            s = 11 - sum(map(mul, d, _GB11714_WEIGHTS)) % 11
            check = "X" if s == 10 else "0" if s == 11 else str(s)
            org = "".join(map(str, d)) + check
            total += sum(map(mul, d, self.old_weights)) + _VAL[check] * WEIGHTS[16]
        else:
            d = self.new(index)
            org = "MA" + "".join([ALPHABET[x] for x in d])
            total += self.ma_sum + sum(map(mul, d, self.new_weights))
        return f"9{kind_digit}{CITY_CODE}{org}{ALPHABET[(31 - total % 31) % 31]}"


# --- reference vocabulary ------------------------------------------------------------------------------------------

# Share of market entities per township-level division (urban 街道 hold most shops and firms).
REGION_WEIGHTS = {
    "垭口街道": 14,
    "寺坡街道": 16,
    "朱兰街道": 13,
    "院岭街道": 10,
    "矿建街道": 9,
    "尚店镇": 6,
    "尹集镇": 6,
    "八台镇": 6,
    "枣林镇": 5,
    "杨庄乡": 5,
    "铁山乡": 4,
    "武功乡": 3,
    "庙街乡": 3,
}
URBAN = {"垭口街道", "寺坡街道", "朱兰街道", "院岭街道"}
RURAL = {"尚店镇", "尹集镇", "八台镇", "枣林镇", "杨庄乡", "铁山乡", "武功乡", "庙街乡"}

# Which industries fit where: multipliers of an industry group's base weight per region.
REGION_PROFILE: dict[str, dict[str, float]] = {
    **{
        r: {
            "agri": 0.03,
            "mining": 0.05,
            "steel": 0.3,
            "retail": 1.3,
            "food": 1.3,
            "catering": 1.3,
            "services": 1.3,
            "leisure": 1.4,
            "realty": 1.5,
            "education": 1.6,
            "pharmacy": 1.4,
        }
        for r in URBAN
    },
    "矿建街道": {"steel": 7, "mining": 3, "manuf": 2.5, "chem": 2.5, "transport": 2, "agri": 0.1},
    "铁山乡": {"mining": 10, "steel": 3, "transport": 2, "agri": 1.5, "leisure": 0.3},
    "杨庄乡": {"tourism": 8, "lodging": 8, "catering": 2.5, "agri": 1.5, "steel": 0.1, "mining": 0.2},
    "武功乡": {"tourism": 6, "lodging": 6, "catering": 2, "agri": 2, "steel": 0.1, "mining": 0.5},
    **{
        r: {"agri": 3.5, "steel": 0.2, "mining": 0.4, "leisure": 0.4, "education": 0.5, "realty": 0.4}
        for r in ("尚店镇", "尹集镇", "八台镇", "枣林镇", "庙街乡")
    },
}


@dataclass(frozen=True)
class Industry:
    code: str  # GB/T 4754-2017 小类 with its 门类 letter
    group: str
    enterprise: float  # base weights per kind
    individual: float
    cooperative: float
    ent_words: tuple[str, ...] = ()
    shop_words: tuple[str, ...] = ()
    coop_words: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()  # (department code, 专项库 tag)
    licence: str = ""  # key of LICENCES


# fmt: off
# code (GB/T 4754-2017 小类 with its 门类), group, base weight for 企业 / 个体工商户 / 合作社, name words for each kind,
# 专项库 tags (department, tag) and the licence its holders usually have.
INDUSTRIES: tuple[Industry, ...] = (
    Industry("C3110", "steel", 2, 0, 0, ("钢铁", "冶金"), (), (), (("SCJG", "特种设备"), ("YJGL", "冶金工贸"), ("STHJ", "排污单位")), "pw"),
    Industry("C3120", "steel", 2, 0, 0, ("特钢", "炼钢"), (), (), (("SCJG", "特种设备"), ("YJGL", "冶金工贸"), ("STHJ", "排污单位")), "pw"),
    Industry("C3130", "steel", 6, 0.3, 0, ("钢材加工", "钢板", "金属材料", "特钢制品"), ("钢材加工部",), (), (("SCJG", "特种设备"), ("YJGL", "冶金工贸"))),
    Industry("C3311", "steel", 4, 0.6, 0, ("金属结构", "钢结构工程", "机械配件"), ("电气焊加工部", "钢结构加工部"), (), (("SCJG", "特种设备"),)),
    Industry("B0810", "mining", 3, 0, 0, ("矿业", "铁矿", "矿产品"), (), (), (("YJGL", "非煤矿山"), ("ZRZY", "矿产资源"), ("STHJ", "排污单位"))),
    Industry("B1019", "mining", 3, 0.3, 0, ("石料", "建材矿业", "砂石"), ("石料厂",), (), (("YJGL", "非煤矿山"), ("ZRZY", "矿产资源"))),
    Industry("C3021", "manuf", 3, 0.3, 0, ("水泥制品", "新型建材", "建材"), ("水泥制品厂",), (), (("SCJG", "工业产品生产许可"), ("STHJ", "排污单位"))),
    Industry("C2661", "chem", 1.2, 0, 0, ("化工", "化学品", "精细化工"), (), (), (("YJGL", "危险化学品"), ("GAJ", "易制毒化学品"), ("STHJ", "排污单位")), "wh"),
    Industry("C1310", "food", 1.5, 1, 0.3, ("面业", "粮油", "食品"), ("面粉加工坊", "磨坊"), ("粮食加工",), (("SCJG", "食品生产"),), "sp"),
    Industry("C1411", "food", 1, 1.5, 0, ("食品", "烘焙"), ("蛋糕店", "面包坊", "糕点坊"), (), (("SCJG", "食品生产"),), "sp"),
    Industry("E4710", "construction", 6, 0, 0, ("建筑工程", "建设工程", "建安"), (), (), (("ZJJ", "建筑施工"), ("RSJ", "农民工工资"))),
    Industry("E5010", "construction", 3, 0.8, 0, ("装饰工程", "装修"), ("装饰部",), (), (("ZJJ", "建筑施工"),)),
    Industry("K7010", "realty", 2, 0, 0, ("置业", "房地产开发"), (), (), (("ZJJ", "房地产开发"),)),
    Industry("F5164", "wholesale", 5, 0, 0, ("物资", "钢材贸易", "金属材料贸易"), (), (), ()),
    Industry("F5121", "wholesale", 3, 0.8, 0, ("商贸", "粮油贸易"), ("粮油批发部",), (), (("SCJG", "食品经营"),), "jy1"),
    Industry("F5166", "agri_supply", 1, 1, 0.4, ("农资", "农业科技"), ("农资店", "化肥经营部"), ("农资",), (("NYNC", "农资经营"),)),
    Industry("F5211", "retail", 3, 0, 0, ("百货", "购物中心", "商贸"), (), (), (("SCJG", "食品经营"), ("XFJY", "消防安全重点单位"), ("SWU", "单用途预付卡")), "jy1"),
    Industry("F5212", "retail", 4, 14, 0, ("超市", "连锁超市", "商贸"), ("超市", "便利店", "百货店", "日杂店", "商店"), (), (("SCJG", "食品经营"),), "jy1"),
    Industry("F5221", "food", 0.5, 5, 0, ("粮油",), ("粮油店", "米面店"), (), (("SCJG", "食品经营"),), "jy1"),
    Industry("F5223", "food", 0.3, 6, 0, ("果业",), ("蔬菜店", "水果店", "果蔬店"), (), (("SCJG", "食品经营"),), "jy1"),
    Industry("F5224", "food", 0.5, 5, 0, ("肉业", "食品"), ("鲜肉店", "冷鲜肉店", "禽蛋店"), (), (("SCJG", "食品经营"),), "jy1"),
    Industry("F5226", "food", 0.8, 4, 0, ("酒业", "茶业"), ("烟酒店", "茶叶店", "酒水经营部"), (), (("SCJG", "食品经营"),), "jy1"),
    Industry("F5232", "retail", 1, 8, 0, ("服饰",), ("服装店", "鞋店", "童装店"), (), ()),
    Industry("F5251", "pharmacy", 1.5, 1, 0, ("医药", "大药房"), ("药店", "大药房"), (), (("SCJG", "药品经营"),), "yp"),
    Industry("F5254", "pharmacy", 0.6, 0.3, 0, ("医疗器械",), ("医疗器械经营部",), (), (("SCJG", "医疗器械经营"),)),
    Industry("F5265", "fuel", 1.2, 0, 0, ("加油站", "石化"), (), (), (("YJGL", "危险化学品"), ("SCJG", "计量"), ("SWU", "成品油")), "wh"),
    Industry("F5271", "retail", 1, 4, 0, ("电器", "通讯"), ("家电经营部", "手机店"), (), ()),
    Industry("F5281", "retail", 1.5, 6, 0, ("五金建材", "建材"), ("五金店", "建材经营部", "装饰材料经营部"), (), ()),
    Industry("F5292", "retail", 0.8, 2, 0, ("电子商务", "网络科技"), ("网店",), (), (("SCJG", "网络交易"),)),
    Industry("H6110", "lodging", 1.5, 0, 0, ("酒店", "大酒店"), (), (), (("WJW", "公共场所"), ("GAJ", "旅馆业"), ("XFJY", "消防安全重点单位"), ("SCJG", "特种设备")), "ws"),
    Industry("H6121", "lodging", 0.8, 3, 0, ("宾馆",), ("宾馆", "旅馆", "招待所"), (), (("WJW", "公共场所"), ("GAJ", "旅馆业")), "ws"),
    Industry("H6130", "lodging", 0.3, 2, 0, ("民宿",), ("民宿", "农家乐", "客栈"), (), (("WJW", "公共场所"), ("SCJG", "食品经营")), "ws"),
    Industry("H6210", "catering", 2, 9, 0, ("餐饮", "饭店"), ("饭店", "餐馆", "烩面馆", "羊肉汤馆", "土菜馆"), (), (("SCJG", "食品经营"),), "jy2"),
    Industry("H6220", "catering", 0.8, 7, 0, ("餐饮管理",), ("快餐店", "面馆", "饺子馆", "包子铺"), (), (("SCJG", "食品经营"),), "jy2"),
    Industry("H6291", "catering", 0.2, 7, 0, ("小吃",), ("小吃店", "胡辣汤馆", "烧烤店", "米线店"), (), (("SCJG", "食品经营"),), "jy2"),
    Industry("N7869", "tourism", 1, 0, 0, ("旅游开发", "景区管理", "文化旅游"), (), (), (("WGLY", "A级景区"), ("SCJG", "特种设备"))),
    Industry("L7271", "tourism", 0.6, 0, 0, ("旅行社",), (), (), (("WGLY", "旅行社"),)),
    Industry("G5431", "transport", 4, 2, 0, ("物流", "运输"), ("货运部",), (), (("JTYS", "道路运输"),), "ys"),
    Industry("O8111", "services", 1, 4, 0, ("汽车服务",), ("汽车修理部", "汽修厂", "洗车行"), (), (("JTYS", "机动车维修"),)),
    Industry("O8051", "services", 0.6, 7, 0, ("美容美发",), ("理发店", "美发店", "美容院"), (), (("WJW", "公共场所"), ("SWU", "单用途预付卡")), "ws"),
    Industry("O8090", "services", 0.5, 3, 0, ("家政服务",), ("家电维修部", "干洗店", "照相馆"), (), ()),
    Industry("R9011", "leisure", 0.5, 0.8, 0, ("娱乐", "文化娱乐"), ("KTV",), (), (("WGLY", "娱乐场所"), ("XFJY", "消防安全重点单位")), "yl"),
    Industry("R9013", "leisure", 0.3, 1, 0, ("网络会所",), ("网吧",), (), (("WGLY", "网吧"),), "yl"),
    Industry("P8399", "education", 1, 0.3, 0, ("教育咨询", "培训学校"), ("培训部",), (), (("JYJ", "校外培训"),)),
    Industry("A0112", "agri", 0.3, 1.5, 3, ("农业开发",), ("种植场",), ("小麦种植", "粮食种植"), ()),
    Industry("A0141", "agri", 0.3, 1.5, 3, ("农业科技",), ("蔬菜种植场",), ("蔬菜种植", "食用菌种植"), ()),
    Industry("A0151", "agri", 0.4, 1, 2, ("生态农业", "果业"), ("果园",), ("林果种植", "桃园种植"), ()),
    Industry("A0171", "agri", 0.2, 0.5, 1.5, ("中药材",), ("中药材种植场",), ("中药材种植",), ()),
    Industry("A0313", "agri", 0.5, 1.5, 2, ("牧业", "生态养殖"), ("养猪场", "养殖场"), ("生猪养殖",), (("NYNC", "畜禽养殖"),)),
    Industry("A0311", "agri", 0.2, 0.6, 1.2, ("牧业",), ("养牛场",), ("肉牛养殖",), (("NYNC", "畜禽养殖"),)),
    Industry("A0321", "agri", 0.3, 1, 1.5, ("禽业",), ("养鸡场",), ("蛋鸡养殖", "家禽养殖"), (("NYNC", "畜禽养殖"),)),
    Industry("A0411", "agri", 0.1, 0.3, 0.6, ("水产",), ("渔场",), ("水产养殖",), ()),
)
# fmt: on


TRADE_CHARS = (
    "鑫源恒达宏基瑞丰隆盛兴旺泰福祥和华昌通信诚德顺利金聚宝天中正安康佳美新明光辉永远江山峰鼎嘉豪腾飞"
    "龙凤鹏宇博汇亿万创联众卓越晟坤乾元亨冠雄伟俊豫平钢湖石灯台翔润泽祺禾煜昊森林茂荣耀益升"
)
ORG_FORMS = (("有限公司", 78), ("有限责任公司", 14), ("股份有限公司", 2), ("有限公司分公司", 3), ("厂", 3))
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
    "阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺"
)
# The most common surnames are much more frequent: weight by rank.
SURNAME_WEIGHTS = tuple(itertools.accumulate(60 / (i + 6) for i in range(len(SURNAMES))))
MALE_GIVEN = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
FEMALE_GIVEN = "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝丽阳妮宝贝初程梵罡恒鸿桦骅剑娇纪宽苛灵玛媚琪晴容睿烁堂唯威韦雯苇萱阅彦宇雨洋忠宗曼紫逸贤蝶菡绿蓝儿翠烟"
URBAN_ROADS = {
    "垭口街道": ("湖滨大道", "建设路", "龙山路", "垭口路", "银山路", "湖滨路"),
    "寺坡街道": ("人民路", "寺坡路", "钢城路", "文化路", "朝阳路", "健康路"),
    "朱兰街道": ("朱兰路", "解放路", "新华路", "光明路", "园林路"),
    "院岭街道": ("院岭路", "工业路", "幸福路", "团结路"),
    "矿建街道": ("矿建路", "铁山路", "冶金路", "工业大道"),
}
VILLAGE_SUFFIX = "庄湾沟营寨楼岗店坡洼"


def _region_short(name: str) -> str:
    for suffix in ("街道", "镇", "乡"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


# Licences: key -> (issuing department, name, number prefix, validity in years)
LICENCES: dict[str, tuple[str, str, str, int]] = {
    "jy1": ("SCJG", "食品经营许可证", "JY1", 5),
    "jy2": ("SCJG", "食品经营许可证", "JY2", 5),
    "sp": ("SCJG", "食品生产许可证", "SC1", 5),
    "yp": ("SCJG", "药品经营许可证", "豫DA375", 5),
    "wh": ("YJGL", "危险化学品经营许可证", "豫平舞危化经字", 3),
    "ws": ("WJW", "卫生许可证", "豫卫公证字", 4),
    "yl": ("WGLY", "娱乐经营许可证", "410481", 2),
    "ys": ("JTYS", "道路运输经营许可证", "豫交运管许可平字", 4),
    "pw": ("STHJ", "排污许可证", "", 5),
}

# --- the check-item list (domain.md §4), per responsible department ---------------------------------------------


@dataclass(frozen=True)
class ItemSpec:
    dept: str
    name: str
    basis: str
    category: str
    ratio: str
    cap: str | None
    methods: tuple[str, ...]
    qualification: str
    scope: str
    sub_items: tuple[str, ...] = ()
    content: str = ""
    frequency: str = "每年1次"


K, G = ItemCategory.KEY.value, ItemCategory.GENERAL.value
# fmt: off
ITEMS: tuple[ItemSpec, ...] = (
    ItemSpec("SCJG", "企业公示信息抽查", "《企业信息公示暂行条例》第十四条", G, "0.03", "0.05", ("书面检查", "实地核查", "网络监测"), "企业公示", "辖区内登记的企业、农民专业合作社",
             ("年度报告公示信息", "即时公示信息", "登记住所（经营场所）"), "企业通过国家企业信用信息公示系统公示信息的真实性、及时性"),
    ItemSpec("SCJG", "食品经营者监督检查", "《中华人民共和国食品安全法》第一百一十条；《食品生产经营监督检查管理办法》", K, "0.05", None, ("实地核查", "检验检测"), "食品", "取得食品经营许可证的食品销售者、餐饮服务提供者",
             ("经营资质", "从业人员健康管理", "进货查验记录", "食品贮存", "餐饮具清洗消毒"), "食品经营者落实食品安全主体责任情况", "每年2次"),
    ItemSpec("SCJG", "特种设备使用单位检查", "《中华人民共和国特种设备安全法》第五十七条；《特种设备安全监察条例》", K, "0.05", None, ("实地核查",), "特种设备", "使用锅炉、压力容器、电梯、起重机械、场（厂）内专用机动车辆的单位",
             ("使用登记", "定期检验", "作业人员持证", "安全管理制度")),
    ItemSpec("SCJG", "工业产品生产许可证获证企业检查", "《中华人民共和国工业产品生产许可证管理条例》", K, "0.05", None, ("实地核查", "检验检测"), "工业产品", "取得工业产品生产许可证的生产企业",
             ("生产条件保持", "产品质量", "标志使用")),
    ItemSpec("SCJG", "药品零售企业检查", "《中华人民共和国药品管理法》第九十九条；《药品经营质量管理规范》", K, "0.1", None, ("实地核查",), "药品", "辖区内药品零售企业",
             ("执业药师在岗", "药品购进验收", "处方药销售", "储存养护")),
    ItemSpec("SCJG", "医疗器械经营企业检查", "《医疗器械监督管理条例》；《医疗器械经营监督管理办法》", K, "0.05", None, ("实地核查", "书面检查"), "医疗器械", "第二类、第三类医疗器械经营企业",
             ("经营许可（备案）", "进货查验", "储存条件")),
    ItemSpec("SCJG", "化妆品经营者检查", "《化妆品监督管理条例》第四十六条", G, "0.03", "0.05", ("实地核查",), "化妆品", "化妆品经营者", ("进货查验记录", "产品标签", "过期产品")),
    ItemSpec("SCJG", "计量器具使用检查", "《中华人民共和国计量法》；《中华人民共和国计量法实施细则》", G, "0.03", "0.08", ("实地核查", "检验检测"), "计量", "使用强制检定计量器具的单位和个体工商户",
             ("强制检定", "计量器具准确度"), "加油机、电子计价秤等强制检定计量器具的检定和使用情况"),
    ItemSpec("SCJG", "广告发布行为检查", "《中华人民共和国广告法》第四十九条", G, "0.02", "0.05", ("网络监测", "书面检查", "实地核查"), "广告", "广告主、广告经营者、广告发布者", ("广告内容", "广告审查")),
    ItemSpec("SCJG", "价格行为检查", "《中华人民共和国价格法》；《明码标价和禁止价格欺诈规定》", G, "0.02", "0.05", ("实地核查", "网络监测"), "价格", "辖区内经营者", ("明码标价", "价格欺诈")),
    ItemSpec("GAJ", "易制毒化学品企业检查", "《易制毒化学品管理条例》第三十二条", K, "0.2", None, ("实地核查", "书面检查"), "易制毒化学品", "生产、经营、购买、运输易制毒化学品的单位",
             ("许可（备案）证明", "购销台账", "储存管理")),
    ItemSpec("GAJ", "旅馆业治安管理检查", "《旅馆业治安管理办法》", G, "0.1", "0.2", ("实地核查",), "治安管理", "旅馆、宾馆、民宿", ("旅客住宿登记", "治安管理制度")),
    ItemSpec("WJW", "公共场所卫生检查", "《公共场所卫生管理条例》；《公共场所卫生管理条例实施细则》", K, "0.05", None, ("实地核查", "检验检测"), "公共卫生", "住宿、沐浴、美容美发等公共场所经营者",
             ("卫生许可证", "从业人员健康合格证明", "卫生检测", "公共用品用具消毒")),
    ItemSpec("RSJ", "用人单位劳动保障守法检查", "《劳动保障监察条例》；《保障农民工工资支付条例》", G, "0.03", "0.05", ("书面检查", "实地核查"), "劳动保障", "辖区内用人单位",
             ("劳动合同签订", "工资支付", "工作时间和休息休假", "社会保险参保")),
    ItemSpec("ZJJ", "建筑施工企业安全生产检查", "《中华人民共和国建筑法》；《建设工程安全生产管理条例》", K, "0.1", None, ("实地核查",), "建筑安全", "在建房屋建筑和市政基础设施工程施工企业",
             ("安全生产许可证", "三类人员持证", "危大工程管理")),
    ItemSpec("ZJJ", "房地产开发企业检查", "《城市房地产开发经营管理条例》", G, "0.05", "0.1", ("书面检查", "实地核查"), "房地产", "房地产开发企业", ("资质", "商品房预售")),
    ItemSpec("JTYS", "道路运输经营者检查", "《中华人民共和国道路运输条例》", G, "0.05", "0.1", ("实地核查", "书面检查"), "道路运输", "道路货物运输、旅客运输经营者",
             ("经营许可", "车辆技术状况", "从业人员资格")),
    ItemSpec("JTYS", "机动车维修经营者检查", "《中华人民共和国道路运输条例》；《机动车维修管理规定》", G, "0.03", "0.05", ("实地核查",), "道路运输", "机动车维修经营者", ("备案", "维修档案")),
    ItemSpec("WGLY", "娱乐场所检查", "《娱乐场所管理条例》", G, "0.1", "0.2", ("实地核查",), "文化市场", "歌舞、游艺娱乐场所", ("娱乐经营许可证", "曲目内容", "未成年人保护")),
    ItemSpec("WGLY", "旅行社经营行为检查", "《旅行社条例》", G, "0.1", "0.2", ("书面检查", "实地核查"), "文化市场", "旅行社及其分社、服务网点", ("质量保证金", "旅游合同")),
    ItemSpec("STHJ", "排污单位检查", "《中华人民共和国环境保护法》第二十四条；《排污许可管理条例》", K, "0.05", None, ("实地核查", "检验检测", "网络监测"), "生态环境", "实行排污许可管理的排污单位",
             ("排污许可证", "污染防治设施运行", "自行监测")),
    ItemSpec("YJGL", "危险化学品企业安全生产检查", "《中华人民共和国安全生产法》；《危险化学品安全管理条例》", K, "0.1", None, ("实地核查", "委托专业机构"), "危险化学品", "危险化学品生产、经营、使用企业",
             ("安全生产许可/经营许可", "重大危险源管理", "安全管理人员")),
    ItemSpec("YJGL", "工贸行业企业安全生产检查", "《中华人民共和国安全生产法》；《工贸企业重大事故隐患判定标准》", G, "0.05", "0.1", ("实地核查",), "安全生产", "冶金、建材、机械等工贸企业",
             ("安全生产责任制", "隐患排查治理")),
    ItemSpec("NYNC", "农药经营单位检查", "《农药管理条例》", G, "0.1", "0.2", ("实地核查", "检验检测"), "农资", "农药经营者", ("经营许可", "购销台账", "限制使用农药")),
    ItemSpec("XFJY", "消防安全重点单位检查", "《中华人民共和国消防法》；《机关、团体、企业、事业单位消防安全管理规定》", K, "0.1", None, ("实地核查",), "消防", "消防安全重点单位",
             ("消防设施", "疏散通道", "消防安全责任")),
    ItemSpec("SWU", "单用途商业预付卡发行企业检查", "《单用途商业预付卡管理办法（试行）》", G, "0.05", "0.1", ("书面检查",), "商务", "发行单用途商业预付卡的企业", ("备案", "资金存管")),
    ItemSpec("JYJ", "校外培训机构检查", "《中华人民共和国民办教育促进法》", G, "0.1", "0.2", ("实地核查", "书面检查"), "教育", "校外培训机构", ("办学许可", "收费管理")),
    ItemSpec("ZRZY", "矿产资源开发利用检查", "《中华人民共和国矿产资源法》", G, "0.1", "0.3", ("实地核查", "网络监测"), "自然资源", "采矿权人", ("越界开采", "开发利用方案执行")),
    ItemSpec("SWJ", "纳税人发票使用情况检查", "《中华人民共和国税收征收管理法》；《中华人民共和国发票管理办法》", G, "0.01", "0.03", ("书面检查",), "税务", "辖区内纳税人", ("发票领用", "发票开具")),
    ItemSpec("SLJ", "取水单位检查", "《取水许可和水资源费征收管理条例》", G, "0.1", "0.2", ("实地核查",), "水利", "取水许可持证单位", ("取水许可", "计量设施")),
)
# fmt: on


# Inspectors per department (about 300; the registering department has the most).
INSPECTORS_PER_DEPT = {
    "SCJG": 92,
    "GAJ": 20,
    "WJW": 20,
    "YJGL": 18,
    "STHJ": 15,
    "ZJJ": 15,
    "JTYS": 15,
    "NYNC": 15,
    "XFJY": 15,
    "SWJ": 15,
    "WGLY": 12,
    "RSJ": 12,
    "ZRZY": 10,
    "SWU": 8,
    "JYJ": 8,
    "SLJ": 8,
    "FGW": 6,
    "SFJ": 4,
}
# Birth-place codes for ID numbers: 舞钢 and its neighbours.
ID_REGIONS = (
    "410481",
    "410481",
    "410481",
    "410402",
    "410403",
    "410421",
    "410422",
    "410423",
    "410482",
    "411121",
    "411122",
)
MOBILE_PREFIXES = (
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "182",
    "183",
    "187",
    "188",
    "198",
    "130",
    "131",
    "132",
    "155",
    "156",
    "185",
    "186",
    "176",
    "133",
    "153",
    "180",
    "181",
    "189",
    "177",
    "199",
)
CONFLICT_REASONS = (
    "近亲属担任该企业法定代表人",
    "近亲属在该企业任职",
    "本人曾在该企业任职，离职未满三年",
    "与经营者存在经济往来",
    "与经营者有其他利害关系",
)

# Non-market-entity objects (art. 5): products, projects, behaviours.
PRODUCTS = (
    "Q345R容器钢板",
    "Q235B热轧钢板",
    "小磨香油",
    "挂面",
    "电动自行车",
    "儿童玩具",
    "电线电缆",
    "复合肥料",
    "液化石油气钢瓶",
    "建筑用钢筋",
    "散装白酒",
    "食用植物油",
    "农药（草甘膦）",
    "电热水壶",
    "学生文具",
)
PROJECTS = (
    "{road}改造工程",
    "{region}{village}村道路硬化项目",
    "{trade}小区住宅楼建设项目",
    "{region}高标准农田建设项目",
    "{trade}产业园标准化厂房项目",
    "{region}污水处理站建设项目",
    "二郎山景区{trade}步道建设项目",
)
BEHAVIOURS = (
    "网络直播带货行为",
    "户外广告发布行为",
    "商品明码标价行为",
    "促销活动价格行为",
    "预付卡发行行为",
    "网络交易平台经营行为",
)


# --- generation ------------------------------------------------------------------------------------------------------


@dataclass
class Counts:
    objects: int = 0
    enterprises: int = 0
    individuals: int = 0
    cooperatives: int = 0
    non_entities: int = 0
    supervisions: int = 0
    licences: int = 0
    inspectors: int = 0
    conflicts: int = 0
    items: int = 0
    by_risk: dict[str, int] = field(default_factory=dict)
    abnormal: int = 0
    dishonest: int = 0
    inactive: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _cum(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


class _Picker:
    """Fast weighted choice from a fixed table (bisect on cumulative weights)."""

    __slots__ = ("values", "cum", "total")

    def __init__(self, values: list[Any], weights: list[float]):
        pairs = [(v, w) for v, w in zip(values, weights, strict=True) if w > 0]
        self.values = [v for v, _ in pairs]
        self.cum = _cum([w for _, w in pairs])
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.values[bisect(self.cum, rng.random() * self.total)]


def _pick(rng: random.Random, seq):
    # Uniform choice without random.choice's rejection sampling: several times faster, same determinism.
    return seq[int(rng.random() * len(seq))]


_SURNAME_TOTAL = SURNAME_WEIGHTS[-1]


def _surname(rng: random.Random) -> str:
    return SURNAMES[bisect(SURNAME_WEIGHTS, rng.random() * _SURNAME_TOTAL)]


OBJ_COLUMNS = (
    "id",
    "kind",
    "code",
    "name",
    "industry_code",
    "region_id",
    "address",
    "legal_rep",
    "reg_status",
    "risk_class_id",
    "abnormal_list",
    "dishonest_list",
    "complaints_12m",
    "synthetic",
    "created_at",
    "updated_at",
)
SUP_COLUMNS = ("object_id", "department_id", "tags", "note", "updated_at")
LIC_COLUMNS = ("object_id", "department_id", "name", "number", "valid_from", "valid_to")


class ObjectGenerator:
    """Produces the object directory row by row; one RNG stream, so chunking never changes the result."""

    def __init__(
        self,
        *,
        seed: int,
        total: int,
        regions: dict[str, int],
        risk: dict[str, int],
        depts: dict[str, int],
        today: datetime.date,
        now: datetime.datetime,
    ):
        self.rng = random.Random(f"objects:{seed}")
        self.uscc = USCCFactory(seed)
        self.total, self.regions, self.risk, self.depts = total, regions, risk, depts
        self.today, self.now = today, now
        self.non_entities = max(5, round(total * 0.0075)) if total >= 50 else 0
        names = list(REGION_WEIGHTS)
        rural_w = [REGION_WEIGHTS[r] * (4 if r in RURAL else 0.4) for r in names]
        self.region_pick = {
            ObjectKind.ENTERPRISE: _Picker(names, [REGION_WEIGHTS[r] for r in names]),
            ObjectKind.INDIVIDUAL: _Picker(names, [REGION_WEIGHTS[r] for r in names]),
            ObjectKind.COOPERATIVE: _Picker(names, rural_w),
        }
        self.industry_pick: dict[tuple[str, str], _Picker] = {}
        for r in names:
            profile = REGION_PROFILE.get(r, {})
            for kind, attr in (
                (ObjectKind.ENTERPRISE, "enterprise"),
                (ObjectKind.INDIVIDUAL, "individual"),
                (ObjectKind.COOPERATIVE, "cooperative"),
            ):
                ws = [getattr(ind, attr) * profile.get(ind.group, 1.0) for ind in INDUSTRIES]
                self.industry_pick[(r, kind)] = _Picker(list(INDUSTRIES), ws)
        self.kind_pick = _Picker(
            [ObjectKind.INDIVIDUAL, ObjectKind.ENTERPRISE, ObjectKind.COOPERATIVE], [60, 35, 5]
        )
        # Risk classes A 30 / B 55 / C 12 / D 3 overall; the dishonest (0.3%) are all D.
        self.risk_pick = _Picker(["A", "B", "C", "D"], [30, 55, 12, 2.7])
        self.abnormal_p = {"A": 0.005, "B": 0.025, "C": 0.12, "D": 0.4}
        self.no_complaint_p = {"A": 0.95, "B": 0.92, "C": 0.8, "D": 0.6}
        self.status_pick = _Picker(
            [
                RegStatus.ACTIVE,
                RegStatus.DEREGISTERED,
                RegStatus.REVOKED,
                RegStatus.MOVED_OUT,
                RegStatus.CANCELLED,
            ],
            [97, 1.8, 0.8, 0.3, 0.1],
        )
        self.org_form = _Picker([f for f, _ in ORG_FORMS], [w for _, w in ORG_FORMS])
        self.licence_seq: dict[str, int] = {}
        self.non_entity_every = total // self.non_entities if self.non_entities else 0
        self.sample_entities: list[int] = []  # a few object ids for declared conflicts
        self.json_cache: dict[tuple[str, ...], str] = {}

    # -- small vocabularies
    def person(self, male: bool | None = None) -> str:
        rng = self.rng
        surname = _surname(rng)
        if male is None:
            male = rng.random() < 0.62
        pool = MALE_GIVEN if male else FEMALE_GIVEN
        given = _pick(rng, pool) if rng.random() < 0.3 else _pick(rng, pool) + _pick(rng, pool)
        return surname + given

    def trade(self) -> str:
        # Two different characters of the pool: a 字号 such as 鑫源 or 恒达.
        r = self.rng.random
        n = len(TRADE_CHARS)
        i = int(r() * n)
        j = (i + 1 + int(r() * (n - 1))) % n
        return TRADE_CHARS[i] + TRADE_CHARS[j]

    def address(self, region: str) -> str:
        rng = self.rng
        roads = URBAN_ROADS.get(region)
        if roads:
            return f"河南省{CITY}{region}{_pick(rng, roads)}{int(rng.random() * 399) + 1}号"
        village = _pick(rng, SURNAMES[:40]) + _pick(rng, VILLAGE_SUFFIX)
        return f"河南省{CITY}{region}{village}村{int(rng.random() * 12) + 1}组"

    # -- one object
    def entity(self, index: int, oid: int) -> tuple[tuple, list[tuple], list[tuple]]:
        rng = self.rng
        kind = self.kind_pick(rng)
        region = self.region_pick[kind](rng)
        ind: Industry = self.industry_pick[(region, kind)](rng)
        if kind == ObjectKind.ENTERPRISE:
            digit = "1"
            prefix = "河南" if rng.random() < 0.04 else CITY
            form = self.org_form(rng)
            if form == "厂":
                name = f"{CITY}{self.trade()}{_pick(rng, ind.ent_words)}厂"
            elif form == "有限公司分公司":
                name = f"河南{self.trade()}{_pick(rng, ind.ent_words)}有限公司{CITY}分公司"
            else:
                name = f"{prefix}{self.trade()}{_pick(rng, ind.ent_words)}{form}"
            old_style = rng.random() < 0.3
        elif kind == ObjectKind.INDIVIDUAL:
            digit = "2"
            place = region if rng.random() < 0.5 else _region_short(region)
            r = rng.random()
            if r < 0.55:
                mark = self.trade()
            elif r < 0.7:
                mark = "老" + _surname(rng)
            elif r < 0.8:
                mark = _surname(rng) + "记"
            else:
                mark = ""
            name = f"{CITY}{place}{mark}{_pick(rng, ind.shop_words)}"
            old_style = False
        else:
            digit = "3"
            place = region if rng.random() < 0.5 else ""
            name = f"{CITY}{place}{self.trade()}{_pick(rng, ind.coop_words)}专业合作社"
            old_style = False
        code = self.uscc.make(digit, index, old_style)
        if rng.random() < 0.003:
            risk, dishonest = "D", True
        else:
            risk, dishonest = self.risk_pick(rng), False
        abnormal = rng.random() < (0.7 if dishonest else self.abnormal_p[risk])
        status = self.status_pick(rng)
        if status == RegStatus.REVOKED:
            abnormal = abnormal or rng.random() < 0.6
        complaints = 0
        if rng.random() > self.no_complaint_p[risk]:
            complaints = 1
            while rng.random() < 0.4 and complaints < 30:
                complaints += 1
        row = (
            oid,
            kind.value,
            code,
            name,
            ind.code,
            self.regions[region],
            self.address(region),
            self.person(),
            status.value,
            self.risk[risk],
            abnormal,
            dishonest,
            complaints,
            True,
            self.now,
            self.now,
        )
        sups: list[tuple] = []
        lics: list[tuple] = []
        if status == RegStatus.ACTIVE:
            tags: dict[str, list[str]] = {}
            for dept, tag in ind.tags:
                if rng.random() < 0.9:
                    tags.setdefault(dept, []).append(tag)
            if kind == ObjectKind.ENTERPRISE and rng.random() < 0.08:
                tags.setdefault("RSJ", []).append("劳动保障重点监控")
            if complaints >= 3:
                tags.setdefault("SCJG", []).append("投诉较多")
            for dept, dtags in tags.items():
                key = (dept, *dtags)
                tags_json = self.json_cache.get(key)
                if tags_json is None:
                    tags_json = self.json_cache[key] = json.dumps(dtags, ensure_ascii=False)
                sups.append((oid, self.depts[dept], tags_json, "", self.now))
            if ind.licence and rng.random() < 0.85:
                lics.append(self.licence(ind.licence, oid, code))
            if len(self.sample_entities) < 400:
                self.sample_entities.append(oid)
        return row, sups, lics

    def licence(self, key: str, oid: int, code: str) -> tuple:
        rng = self.rng
        dept, name, prefix, years = LICENCES[key]
        n = self.licence_seq[key] = self.licence_seq.get(key, 0) + 1
        if key in ("jy1", "jy2"):
            body = f"{prefix[2]}{CITY_CODE}{n:06d}"
            number = f"JY{body}{sum(int(c) for c in body) % 10}"
        elif key == "sp":
            body = f"1{CITY_CODE}{n:06d}"
            number = f"SC{body}{sum(int(c) for c in body) % 10}"
        elif key == "yp":
            number = f"{prefix}{n:04d}"
        elif key == "wh":
            number = f"{prefix}〔{self.today.year - rng.randint(0, 2)}〕{n:06d}"
        elif key == "ws":
            number = f"{prefix}〔{self.today.year - rng.randint(0, 3)}〕第{CITY_CODE}-{n:06d}号"
        elif key == "yl":
            number = f"{prefix}{n:07d}"
        elif key == "ys":
            number = f"{prefix}{CITY_CODE}{n:06d}号"
        else:  # 排污许可证: the holder's USCC + sequence + P
            number = f"{code}001P"
        issued = self.today - datetime.timedelta(days=rng.randint(20, years * 365 + 60))
        valid_to = (
            issued.replace(year=issued.year + years) - datetime.timedelta(days=1)
            if not (issued.month == 2 and issued.day == 29)
            else datetime.date(issued.year + years, 2, 28)
        )
        return (oid, self.depts[dept], name, number, issued, valid_to)

    def non_entity(self, index: int, oid: int, j: int) -> tuple:
        rng = self.rng
        region = self.region_pick[ObjectKind.ENTERPRISE](rng)
        r = j % 5
        if r < 2:
            kind, code = ObjectKind.PRODUCT, f"CP{CITY_CODE}{index:08d}"
            name = f"{_pick(rng, PRODUCTS)}（批次{self.today.year - rng.randint(0, 1)}{rng.randint(1, 12):02d}{rng.randint(1, 999):03d}）"
        elif r < 4:
            kind, code = ObjectKind.PROJECT, f"XM{CITY_CODE}{index:08d}"
            roads = URBAN_ROADS.get(region) or ("人民路",)
            name = _pick(rng, PROJECTS).format(
                road=f"{CITY}{_pick(rng, roads)}",
                region=f"{CITY}{region}",
                village=_pick(rng, SURNAMES[:40]) + _pick(rng, VILLAGE_SUFFIX),
                trade=self.trade(),
            )
        else:
            kind, code = ObjectKind.BEHAVIOUR, f"XW{CITY_CODE}{index:08d}"
            name = f"{CITY}{self.trade()}{_pick(rng, BEHAVIOURS)}"
        return (
            oid,
            kind.value,
            code,
            name,
            "",
            self.regions[region],
            self.address(region),
            "",
            RegStatus.ACTIVE.value,
            None,
            False,
            False,
            0,
            True,
            self.now,
            self.now,
        )

    def chunks(self, first_id: int, size: int) -> Iterator[tuple[list[tuple], list[tuple], list[tuple]]]:
        objs: list[tuple] = []
        sups: list[tuple] = []
        lics: list[tuple] = []
        j = 0
        for index in range(self.total):
            oid = first_id + index
            # Non-entity objects are spread evenly through the directory.
            if (
                self.non_entity_every
                and index % self.non_entity_every == self.non_entity_every - 1
                and j < self.non_entities
            ):
                objs.append(self.non_entity(index, oid, j))
                j += 1
            else:
                row, s, lc = self.entity(index, oid)
                objs.append(row)
                sups.extend(s)
                lics.extend(lc)
            if len(objs) >= size:
                yield objs, sups, lics
                objs, sups, lics = [], [], []
        if objs:
            yield objs, sups, lics


# --- writers ---------------------------------------------------------------------------------------------------------


class _PgDeferredIndexes:
    """pg_restore's recipe for a bulk load into empty tables: drop the secondary indexes, unique constraints and
    foreign keys, COPY, then build them again in one pass each.

    Maintaining a dozen B-trees row by row (random 统一社会信用代码, names) and queueing a deferred foreign-key check per
    row cost several times more than building them afterwards. Everything happens inside the seed's transaction, so a
    failure rolls the DDL back too, and re-adding the foreign keys validates every row. The definitions are read
    from the catalogue, so indexes added by later migrations are handled the same way.
    """

    def __init__(self, models: list):
        self.tables = [m._meta.db_table for m in models]
        self.recreate: list[str] = []
        self.count = 0

    def drop(self) -> None:
        with connection.cursor() as c:
            # Fire any deferred checks already queued in this transaction: ALTER TABLE refuses pending trigger events.
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")
            c.execute("SET CONSTRAINTS ALL DEFERRED")
            c.execute("SET LOCAL maintenance_work_mem = '256MB'")
            indexes, uniques, fks = [], [], []
            for table in self.tables:
                c.execute(
                    """
                    SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x
                    JOIN pg_class i ON i.oid = x.indexrelid
                    WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
                      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
                    ORDER BY i.relname
                    """,
                    [table],
                )
                indexes += [(table, name, sql) for name, sql in c.fetchall()]
                c.execute(
                    """
                    SELECT k.conname, pg_get_constraintdef(k.oid), k.contype FROM pg_constraint k
                    WHERE k.conrelid = %s::regclass AND k.contype IN ('u', 'f')
                      AND NOT EXISTS (
                        SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = k.conindid
                          AND k.contype = 'u')
                    ORDER BY k.conname
                    """,
                    [table],
                )
                for name, definition, kind in c.fetchall():
                    (uniques if kind == "u" else fks).append((table, name, definition))
            qn = connection.ops.quote_name
            for table, name, _ in fks + uniques:
                c.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
            for _, name, _ in indexes:
                c.execute(f"DROP INDEX {qn(name)}")
            self.recreate = (
                [sql for _, _, sql in indexes]
                + [f"ALTER TABLE {qn(t)} ADD CONSTRAINT {qn(n)} {d}" for t, n, d in uniques]
                + [f"ALTER TABLE {qn(t)} ADD CONSTRAINT {qn(n)} {d}" for t, n, d in fks]
            )
            self.count = len(self.recreate)

    def restore(self) -> None:
        with connection.cursor() as c:
            for sql in self.recreate:
                c.execute(sql)


# --- inspectors and items ------------------------------------------------------------------------------------------


def _id_number(rng: random.Random, male: bool) -> str:
    born = datetime.date(1965, 1, 1) + datetime.timedelta(days=rng.randrange(0, 36 * 365))
    seq = rng.randrange(0, 100) * 10 + (rng.choice((1, 3, 5, 7, 9)) if male else rng.choice((0, 2, 4, 6, 8)))
    body = f"{rng.choice(ID_REGIONS)}{born:%Y%m%d}{seq:03d}"
    return body + id_check_char(body)


def _inspectors(
    rng: random.Random, depts: dict[str, Any], regions: list[int], today: datetime.date
) -> list[Inspector]:
    quals: dict[str, list[str]] = {}
    for spec in ITEMS:
        quals.setdefault(spec.dept, [])
        if spec.qualification not in quals[spec.dept]:
            quals[spec.dept].append(spec.qualification)
    status_pick = _Picker(
        [
            InspectorStatus.ON_DUTY,
            InspectorStatus.ON_LEAVE,
            InspectorStatus.SECONDED,
            InspectorStatus.TRANSFERRED,
        ],
        [88, 5, 4, 3],
    )
    out = []
    for code, count in INSPECTORS_PER_DEPT.items():
        dept = depts.get(code)
        if dept is None:
            continue
        for k in range(1, count + 1):
            male = rng.random() < 0.7
            surname = SURNAMES[bisect(SURNAME_WEIGHTS, rng.random() * SURNAME_WEIGHTS[-1])]
            pool = MALE_GIVEN if male else FEMALE_GIVEN
            name = surname + (rng.choice(pool) if rng.random() < 0.3 else rng.choice(pool) + rng.choice(pool))
            if rng.random() < 0.08:  # certificate already expired
                expires = today - datetime.timedelta(days=rng.randint(1, 400))
            else:
                expires = today + datetime.timedelta(days=rng.randint(30, 5 * 365 - 30))
            issued = expires - datetime.timedelta(days=5 * 365)
            own = quals.get(code) or ["综合执法"]
            q = rng.sample(own, min(len(own), rng.randint(1, 3)))
            if rng.random() < 0.15:
                q.append("综合执法")
            out.append(
                Inspector(
                    department=dept,
                    name=name,
                    cert_no=f"{CITY_CODE}{dept.sort:02d}{k:03d}",
                    cert_issued=issued,
                    cert_expires=expires,
                    id_number=_id_number(rng, male),
                    phone=rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}",
                    region_id=rng.choice(regions),
                    qualifications=q,
                    is_expert=rng.random() < 0.06,
                    status=status_pick(rng),
                    synthetic=True,
                )
            )
    return out


def _items(depts: dict[str, Any]) -> list[CheckItem]:
    out, seq = [], {}
    for spec in ITEMS:
        dept = depts.get(spec.dept)
        if dept is None:
            continue
        seq[spec.dept] = seq.get(spec.dept, 0) + 1
        out.append(
            CheckItem(
                code=f"{spec.dept}-{seq[spec.dept]:03d}",
                name=spec.name,
                department=dept,
                sub_items="\n".join(spec.sub_items),
                legal_basis=spec.basis,
                content=spec.content or f"{'、'.join(spec.sub_items)}等情况",
                object_scope=spec.scope,
                default_ratio=Decimal(spec.ratio),
                ratio_cap=Decimal(spec.cap) if spec.cap else None,
                frequency=spec.frequency,
                methods=list(spec.methods),
                category=spec.category,
                qualification=spec.qualification,
                version=1,
            )
        )
    return out


# --- the whole seed --------------------------------------------------------------------------------------------------


def seed_demo(
    *,
    entities: int = DEFAULT_ENTITIES,
    seed: int = DEFAULT_SEED,
    today: datetime.date | None = None,
    chunk: int = CHUNK,
    progress: Callable[[str], None] = lambda msg: None,
) -> Counts:
    """Fill an empty directory with a synthetic 舞钢市. One transaction: all of it, or nothing."""
    from shuangsuiji.accounts.models import system_user
    from shuangsuiji.audit.services import record
    from shuangsuiji.org.models import Department, Region

    from .services import _item_data, assign_inspector_codes

    today = today or timezone.localdate()
    now = timezone.now()
    started = time.monotonic()
    counts = Counts()
    with transaction.atomic():
        actor = system_user()
        depts = {d.code: d for d in Department.objects.all()}
        regions = {r.name: r.id for r in Region.objects.all()}
        missing = set(REGION_WEIGHTS) - set(regions)
        if missing:
            raise RuntimeError(f"缺少乡镇（街道）：{'、'.join(sorted(missing))}（应由迁移 org/0002 创建）")
        risk = {rc.code: rc.id for rc in RiskClass.objects.filter(code__in="ABCD")}
        if len(risk) != 4:
            raise RuntimeError("演示数据需要信用风险分类 A/B/C/D（应由迁移 directory/0002 创建）")

        # 1. the check-item list and version 1 of each item
        existing = set(CheckItem.objects.values_list("code", flat=True))
        items = [i for i in _items(depts) if i.code not in existing]
        CheckItem.objects.bulk_create(items)
        items = list(CheckItem.objects.filter(code__in=[i.code for i in items]))
        CheckItemVersion.objects.bulk_create(
            CheckItemVersion(
                item=i,
                version=1,
                data=_item_data(i),
                changed_by=actor,
                changed_by_name=actor.display_name,
                reason=VERSION_REASON,
                summary=f"新增事项：{i.name}",
            )
            for i in items
        )
        counts.items = len(items)

        # 2. inspectors
        rng = random.Random(f"inspectors:{seed}")
        existing = set(Inspector.objects.values_list("cert_no", flat=True))
        inspectors = [
            i for i in _inspectors(rng, depts, sorted(regions.values()), today) if i.cert_no not in existing
        ]
        Inspector.objects.bulk_create(inspectors)
        assign_inspector_codes()
        counts.inspectors = len(inspectors)
        progress(f"事项 {counts.items} 项，检查人员 {counts.inspectors} 人")

        # 3. the object directory, in chunks
        gen = ObjectGenerator(
            seed=seed,
            total=entities,
            regions=regions,
            risk=risk,
            depts={c: d.id for c, d in depts.items()},
            today=today,
            now=now,
        )
        first_id = (InspectionObject.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        pg = connection.vendor == "postgresql"
        risk_code = {v: k for k, v in risk.items()}
        kinds = {
            ObjectKind.ENTERPRISE.value: "enterprises",
            ObjectKind.INDIVIDUAL.value: "individuals",
            ObjectKind.COOPERATIVE.value: "cooperatives",
        }
        deferred = _PgDeferredIndexes([InspectionObject, Supervision, Licence]) if pg else None
        if deferred:
            deferred.drop()
        for objs, sups, lics in gen.chunks(first_id, chunk):
            bulk_insert(InspectionObject, OBJ_COLUMNS, objs)
            bulk_insert(Supervision, SUP_COLUMNS, sups)
            bulk_insert(Licence, LIC_COLUMNS, lics)
            counts.objects += len(objs)
            counts.supervisions += len(sups)
            counts.licences += len(lics)
            for r in objs:
                attr = kinds.get(r[1], "non_entities")
                setattr(counts, attr, getattr(counts, attr) + 1)
                if r[9] is not None:
                    rc = risk_code[r[9]]
                    counts.by_risk[rc] = counts.by_risk.get(rc, 0) + 1
                counts.abnormal += r[10]
                counts.dishonest += r[11]
                counts.inactive += r[8] != RegStatus.ACTIVE.value
            elapsed = time.monotonic() - started
            progress(
                f"检查对象 {counts.objects:,} / {entities:,}（{counts.objects / entities:.0%}，{elapsed:.1f} 秒）"
            )
        if deferred:
            t = time.monotonic()
            deferred.restore()
            progress(f"重建索引与约束 {deferred.count} 个（{time.monotonic() - t:.1f} 秒）")
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [InspectionObject]):
                    cursor.execute(sql)

        # 4. a few declared conflicts of interest (回避)
        crng = random.Random(f"conflicts:{seed}")
        pool = [i for i in Inspector.objects.filter(synthetic=True).order_by("id")]
        if gen.sample_entities and pool:
            pairs = set()
            for _ in range(min(12, len(gen.sample_entities))):
                pairs.add((crng.choice(pool).id, crng.choice(gen.sample_entities)))
            Conflict.objects.bulk_create(
                Conflict(inspector_id=i, object_id=o, reason=crng.choice(CONFLICT_REASONS))
                for i, o in sorted(pairs)
            )
            counts.conflicts = len(pairs)

        record(
            actor=actor,
            action="demo.seed",
            target_type="directory",
            target_repr="演示数据（合成的舞钢市）",
            after={"seed": seed, "entities": entities, **counts.as_dict()},
            reason=f"seed_demo --entities {entities} --seed {seed}",
        )
    return counts


def vacuum_analyze() -> None:
    """After a bulk load on PostgreSQL: fresh statistics and visibility map, so lists use index-only scans."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return  # VACUUM cannot run inside a transaction (e.g. a test case); autovacuum catches up later
    with connection.cursor() as cursor:
        for model in (InspectionObject, Supervision, Licence, Inspector, CheckItem):
            cursor.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')
