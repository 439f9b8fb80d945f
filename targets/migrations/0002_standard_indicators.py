"""The ten standard indicators of the bureau's yearly assessment (DESIGN §3).

Indicators are data: the bureau adds and retires its own later without a deploy.
"""

from django.db import migrations

OUTSIDE_CITY = ["out_of_city", "out_of_province", "overseas"]

STANDARD_INDICATORS = [
    {"code": "signed_capital", "name": "招商引资协议引资额", "measure": "signed_amount", "origins": OUTSIDE_CITY},
    {"code": "delivered_capital", "name": "实际到位市外资金", "measure": "delivered_amount", "origins": OUTSIDE_CITY},
    {
        "code": "major_projects",
        "name": "引进市外投资亿元以上项目",
        "measure": "project_count",
        "basis": "signed",
        "origins": OUTSIDE_CITY,
        "min_total_investment": 10000,
    },
    {
        "code": "out_of_province_delivered",
        "name": "省外引进项目到位资金",
        "measure": "delivered_amount",
        "origins": ["out_of_province"],
    },
    {
        "code": "returning_merchant_delivered",
        "name": "省外浙商回归到位资金",
        "measure": "delivered_amount",
        "returning_merchant": True,
    },
    {
        "code": "mountain_sea_projects",
        "name": "山海协作项目",
        "measure": "project_count",
        "basis": "signed",
        "mountain_sea": True,
    },
    {"code": "mountain_sea_signed", "name": "山海协作协议投资额", "measure": "signed_amount", "mountain_sea": True},
    {"code": "mountain_sea_delivered", "name": "山海协作到位资金", "measure": "delivered_amount", "mountain_sea": True},
    {
        "code": "social_projects",
        "name": "社会事业类项目",
        "measure": "project_count",
        "basis": "ongoing",
        "category": "social",
    },
    {"code": "social_delivered", "name": "社会事业类到位资金", "measure": "delivered_amount", "category": "social"},
]


def add_indicators(apps, schema_editor):
    Indicator = apps.get_model("targets", "Indicator")
    for position, spec in enumerate(STANDARD_INDICATORS, start=1):
        Indicator.objects.update_or_create(code=spec["code"], defaults={**spec, "position": position * 10})


def remove_indicators(apps, schema_editor):
    Indicator = apps.get_model("targets", "Indicator")
    Indicator.objects.filter(code__in=[spec["code"] for spec in STANDARD_INDICATORS], targets__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_initial")]
    operations = [migrations.RunPython(add_indicators, remove_indicators)]
