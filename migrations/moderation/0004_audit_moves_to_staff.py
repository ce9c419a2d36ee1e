"""The audit log belongs to the kernel's staff app now (bot/admin/audit.py); the table and its rows stay."""

from tortoise import migrations

from migrations.moved import ModelMovedOut


class Migration(migrations.Migration):
    dependencies = [('moderation', '0003_group_posts')]

    initial = False

    operations = [ModelMovedOut(name='AuditEvent')]
