"""Rewards: bounty rules, an exact double-entry ledger, payouts and fraud controls.

Domain modules (rules, ledger, grants, fraud, payouts, claims, lapse, leaderboard) import neither
`telegram` nor `aiohttp`; `handlers`, `views` and `jobs` are the thin transports.
"""
