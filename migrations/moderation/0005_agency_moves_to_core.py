"""Agencies belong to the kernel now (bot/city/models.py); the table and its rows stay."""

from tortoise import migrations

from migrations.moved import ModelMovedOut


class Migration(migrations.Migration):
    dependencies = [('moderation', '0004_audit_moves_to_staff')]

    initial = False

    operations = [ModelMovedOut(name='Agency')]
