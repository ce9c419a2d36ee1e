"""Kernel domain: residents, drafts, reports, photos, lifecycle. Imports neither telegram nor aiohttp."""
