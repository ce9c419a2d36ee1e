"""HTTP transport: the aiohttp app serving the webhook, the admin, the JSON API and the sandbox."""
