"""The demo district (filled in by the seed work)."""

DEMO_PASSWORD = "Demo-2026!"


def seed_demo() -> dict:
    return {}


def demo_logins() -> list:
    return []
