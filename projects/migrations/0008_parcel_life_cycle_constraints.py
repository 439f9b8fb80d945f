import core.constraints
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("projects", "0007_link_reserved_parcels")]

    operations = [
        migrations.AddConstraint(
            model_name="parcel",
            constraint=core.constraints.FieldCheckConstraint(
                condition=models.Q(
                    models.Q(("status", "available"), _negated=True), ("project__isnull", True), _connector="OR"
                ),
                field="project",
                name="parcel_available_has_no_project",
                violation_error_message="可供地不能有意向项目；意向或出让请用“意向”操作。",
            ),
        ),
        migrations.AddConstraint(
            model_name="parcel",
            constraint=core.constraints.FieldCheckConstraint(
                condition=models.Q(
                    ("status", "available"),
                    models.Q(("project__isnull", False), ("reserved_on__isnull", False)),
                    _connector="OR",
                ),
                field="project",
                name="parcel_reserved_has_project",
                violation_error_message="已意向或已出让的地块须有意向项目和意向日期。",
            ),
        ),
        migrations.AddConstraint(
            model_name="parcel",
            constraint=core.constraints.FieldCheckConstraint(
                condition=models.Q(
                    models.Q(("status", "taken"), _negated=True), ("taken_on__isnull", False), _connector="OR"
                ),
                field="taken_on",
                name="parcel_taken_has_date",
                violation_error_message="已出让的地块须有出让日期。",
            ),
        ),
    ]
