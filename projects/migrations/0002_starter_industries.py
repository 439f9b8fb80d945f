"""A starter list of industries; the bureau's administrators add their own in the admin."""

from django.db import migrations

STARTER_INDUSTRIES = [
    ("new_materials", "新材料"),
    ("new_energy", "新能源"),
    ("equipment", "高端装备制造"),
    ("electronics", "电子信息"),
    ("biomedicine", "生物医药"),
    ("fluorosilicon", "氟硅化工"),
    ("paper", "特种纸"),
    ("building_materials", "绿色建材"),
    ("auto_parts", "汽车零部件"),
    ("food", "食品饮料"),
    ("textiles", "纺织服装"),
    ("agriculture", "现代农业"),
    ("tourism", "文化旅游"),
    ("logistics", "现代物流"),
    ("commerce", "商贸服务"),
    ("finance", "金融服务"),
    ("real_estate", "房地产"),
    ("education", "教育"),
    ("health", "医疗卫生"),
    ("elderly_care", "养老服务"),
]


def add_industries(apps, schema_editor):
    Industry = apps.get_model("projects", "Industry")
    for code, name in STARTER_INDUSTRIES:
        Industry.objects.get_or_create(code=code, defaults={"name": name})


def remove_industries(apps, schema_editor):
    Industry = apps.get_model("projects", "Industry")
    Industry.objects.filter(code__in=[code for code, _ in STARTER_INDUSTRIES], projects__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(add_industries, remove_industries)]
