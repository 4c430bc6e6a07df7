"""newsml's version, in one place: the package, saved model configs and pyproject.toml all read it."""

__version__ = "0.2.0"
