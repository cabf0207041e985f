"""Issue 10: indexes for the ledger's order and filters and the dashboards' open findings."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rectification", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="finding",
            name="rectificati_office__3b251b_idx",
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(
                fields=["office", "found_on", "id"], name="finding_office_found_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["found_on", "id"], name="finding_found_idx"),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(
                condition=models.Q(("status__in", ("open", "notice_issued", "responded", "urged"))),
                fields=["found_on", "id"],
                name="finding_open_found_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(
                condition=models.Q(("status__in", ("open", "notice_issued", "responded", "urged"))),
                fields=["office", "area", "is_overdue", "escalated_to", "found_on", "id"],
                name="finding_open_figures_idx",
            ),
        ),
    ]
