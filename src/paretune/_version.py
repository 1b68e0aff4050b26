"""The version of paretune (the single source of truth; pyproject.toml reads it)."""

__version__ = "0.1.0"
