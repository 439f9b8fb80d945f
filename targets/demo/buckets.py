"""The mix of generated projects, and the arithmetic that makes the 2011 figures come out exact.

Generated projects come in *buckets* (same signing year, origin and flags), each with its number of
projects, how many of them are of 1 亿 or more, its signed total and its delivered total per year.
The figures of DESIGN §1 are sums of bucket totals, written out next to BUCKETS: change a bucket and
the sums there must still hold, or the load's self-check refuses to commit.
"""

from dataclasses import dataclass

from projects.models import InvestorKind, Project

from .city import GD, LOCAL, OOC, OOP, OVERSEAS, TX

Channel = Project.Channel

# Who invests, by origin, and how projects reach the bureau: relative weights.
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
# Totals for 2011 (万元); named projects (华友, 根根, 欧派, 久阳) come on top, see generator._named_drafts:
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

# The pipeline beside the buckets: leads, negotiations and projects dropped before signing count nowhere.
LEADS, NEGOTIATING, DROPPED_UNSIGNED = 70, 45, 10
