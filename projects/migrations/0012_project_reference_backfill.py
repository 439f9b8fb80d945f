"""Give every existing project its 项目编号, QZ-<year>-<sequence>, in the order they were created:
the year of its signing, or of its creation for a project not signed."""

from django.db import migrations


def backfill(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    numbers: dict[int, int] = {}
    rows = Project.objects.filter(reference="").order_by("pk").only("pk", "signed_on", "created_at")
    batch = []
    for project in rows.iterator(chunk_size=2000):
        year = (project.signed_on or project.created_at.date()).year
        numbers[year] = numbers.get(year, 0) + 1
        project.reference = f"QZ-{year}-{numbers[year]:04d}"
        batch.append(project)
        if len(batch) == 2000:  # one UPDATE a batch, not one a project: a bureau may have a million
            Project.objects.bulk_update(batch, ["reference"])
            batch = []
    Project.objects.bulk_update(batch, ["reference"])


class Migration(migrations.Migration):
    dependencies = [("projects", "0011_project_reference")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
