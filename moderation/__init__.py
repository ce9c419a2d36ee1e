"""Moderation feature: queues, decisions, merge, routing to agencies, SLA clocks, follow-up, audit."""
