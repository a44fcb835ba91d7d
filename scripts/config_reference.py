"""Write the README's table of settings from the SETTINGS table (each Setting's help):

    python scripts/config_reference.py

tests/test_config.py fails while the README's table differs from the one this writes.
"""

from __future__ import annotations

from pathlib import Path

from monitor.settings import with_reference

README = Path(__file__).resolve().parent.parent / "README.md"

if __name__ == "__main__":
    text = README.read_text()
    updated = with_reference(text)
    README.write_text(updated)
    print("README.md: settings table " + ("rewritten" if updated != text else "already current"))
