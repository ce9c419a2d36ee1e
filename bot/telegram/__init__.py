"""Telegram transport core: the PTB application, update intake, the report conversation and kernel commands."""
