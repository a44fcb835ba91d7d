"""monitor: watch news feeds for attacks by Iran-backed groups on US forces and the US strikes that answer them."""

__version__ = "0.1.0"
# No project URL: the repository has no public address yet, and a placeholder would send site owners nowhere.
USER_AGENT = f"monitor/{__version__} (news-monitoring daemon)"


def compiled() -> bool:
    """Whether the classifier runs compiled (setup.py builds it with mypyc where a C compiler is)."""
    from . import text  # noqa: PLC0415 - the package itself stays light to import

    return not text.__file__.endswith(".py")
