"""The local chat sandbox: a Bot API emulation inside the product plus a chat page at /sandbox (no token needed)."""
