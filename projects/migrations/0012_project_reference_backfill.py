"""Give every existing project its 项目编号, QZ-<year>-<sequence>, in the order they were created:
the year of its signing, or of its creation for a project not signed."""

from django.db import migrations


def backfill(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    numbers: dict[int, int] = {}
    rows = Project.objects.filter(reference="").order_by("pk").values_list("pk", "signed_on", "created_at")
    for pk, signed_on, created_at in rows.iterator(chunk_size=2000):
        year = (signed_on or created_at.date()).year
        numbers[year] = numbers.get(year, 0) + 1
        Project.objects.filter(pk=pk).update(reference=f"QZ-{year}-{numbers[year]:04d}")


class Migration(migrations.Migration):
    dependencies = [("projects", "0011_project_reference")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
