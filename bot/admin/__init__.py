"""The web admin shell shared by feature pages: staff accounts, sessions, CSRF, roles, templates."""
