"""The year the demo reproduces: 衢州's 2011 as the bureau's bulletin reports it (DESIGN §1).

These numbers are the load's contract: the generator builds towards FIGURES, gives the city the
targets that turn them into COMPLETION, and refuses to commit if the report says otherwise.
"""

import datetime as dt

YEAR = 2011
YEAR_END = dt.date(YEAR, 12, 31)
MAJOR = 10_000  # 万元: 1 亿, the threshold of major_projects

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
