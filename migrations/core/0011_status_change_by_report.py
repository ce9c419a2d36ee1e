"""An index on status_change(report_id, to_status): a report's timeline, the exports' milestones (first
acceptance, dispatch, closing) and the public photo rule read a report's changes; without it each read scans
every change ever made."""

from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('core', '0010_reporter_optional')]

    initial = False

    operations = [
        ops.RunSQL(
            "CREATE INDEX IF NOT EXISTS status_change_report_idx ON status_change (report_id, to_status)",
            "DROP INDEX IF EXISTS status_change_report_idx",
        ),
    ]
