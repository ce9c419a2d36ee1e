"""SafeCity: the application package (kernel, Telegram transport, web app, worker)."""
