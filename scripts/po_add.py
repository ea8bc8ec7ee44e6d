"""Append msgid/msgstr pairs to a gettext catalog, skipping ids it already has.

Usage: python scripts/po_add.py [CATALOG] < pairs.json   (a JSON object: English -> Persian)
The default catalog is the Persian one of this checkout.
"""

import json
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent.parent / "src/hasteh/locale/fa/LC_MESSAGES/hasteh.po"


def quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    known = path.read_text(encoding="utf-8")
    pairs: dict[str, str] = json.load(sys.stdin)
    added = [
        f"\nmsgid {quote(k)}\nmsgstr {quote(v)}\n"
        for k, v in pairs.items()
        if f"msgid {quote(k)}\n" not in known
    ]
    with path.open("a", encoding="utf-8") as out:
        out.write("".join(added))
    print(len(added), "added")


if __name__ == "__main__":
    main()
