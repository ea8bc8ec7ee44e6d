"""Append msgid/msgstr pairs to a gettext catalog, skipping ids it already has.

Usage: python scripts/po_add.py [CATALOG] < pairs.json   (a JSON object: English -> Persian)
       python scripts/po_add.py --dedupe [CATALOG]      (keep the first entry of each msgid)
The default catalog is the Persian one of this checkout. Git merges the catalog with its union
driver (.gitattributes), which can leave an entry twice; --dedupe removes the later copies.
"""

import json
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent.parent / "src/hasteh/locale/fa/LC_MESSAGES/hasteh.po"


def quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def dedupe(path: Path) -> None:
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    seen: set[str] = set()
    kept = []
    for block in blocks:
        lines = block.strip("\n").splitlines()
        start = next((i for i, line in enumerate(lines) if line.startswith("msgid ")), None)
        if start is not None:
            end = next(
                (i for i in range(start + 1, len(lines)) if lines[i].startswith("msg")), len(lines)
            )
            key = "\n".join(lines[start:end])
            if key in seen and key != 'msgid ""':
                continue
            seen.add(key)
        kept.append(block)
    path.write_text("\n\n".join(kept).rstrip("\n") + "\n", encoding="utf-8")
    print(len(blocks) - len(kept), "duplicates removed")


def main() -> None:
    if sys.argv[1:2] == ["--dedupe"]:
        dedupe(Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT)
        return
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
