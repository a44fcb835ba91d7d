"""Write the README's reference tables (settings, feed keys, notifier keys) from monitor/settings.py,
where each key's help is:

    python scripts/config_reference.py

tests/test_config.py fails while the README's tables differ from the ones this writes.
"""

from __future__ import annotations

from pathlib import Path

from monitor.reference import with_references

README = Path(__file__).resolve().parent.parent / "README.md"

if __name__ == "__main__":
    text = README.read_text()
    updated = with_references(text)
    README.write_text(updated)
    print("README.md: reference tables " + ("rewritten" if updated != text else "already current"))
