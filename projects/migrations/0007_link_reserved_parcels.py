"""Reserved or taken land gets the project it is for, before the life cycle's constraints hold it."""

from django.db import migrations

SIGNED_STAGES = ("signed", "started", "producing")


def link_reserved_parcels(apps, schema_editor):
    """Land marked reserved or taken by hand before the life cycle existed gets its project: the one
    pointing at it (a signed one first); land no project points at goes back to available."""
    Parcel = apps.get_model("projects", "Parcel")
    Project = apps.get_model("projects", "Project")
    for parcel in Parcel.objects.exclude(status="available"):
        candidates = Project.objects.filter(parcel=parcel, reserved_parcel__isnull=True)
        project = candidates.filter(stage__in=SIGNED_STAGES).order_by("signed_on", "pk").first()
        project = project or candidates.exclude(stage="dropped").order_by("pk").first()
        if project is None:
            parcel.status = "available"
        else:
            parcel.project = project
            parcel.reserved_on = parcel.published_on or project.signed_on or parcel.created_at.date()
            if parcel.status == "taken" or project.stage in SIGNED_STAGES:
                parcel.status = "taken"
                parcel.taken_on = max(project.signed_on or parcel.reserved_on, parcel.reserved_on)
        parcel.save()


class Migration(migrations.Migration):
    dependencies = [("projects", "0006_parcel_life_cycle_and_public_land")]

    operations = [migrations.RunPython(link_reserved_parcels, migrations.RunPython.noop)]
