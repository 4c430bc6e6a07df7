"""Generate model cards from a template + the committed metrics JSON (placeholder, replaced below)."""


def write_card(name: str) -> None:
    pass
