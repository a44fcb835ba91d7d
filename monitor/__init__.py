"""monitor: watch news feeds for attacks by Iran-backed groups on US forces and the US strikes that answer them."""

__version__ = "0.1.0"
USER_AGENT = f"monitor/{__version__} (news-monitoring daemon; +https://github.com/monitor/monitor)"
