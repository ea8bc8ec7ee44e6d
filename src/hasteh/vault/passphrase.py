"""Passphrases: one canonical byte form, whatever keyboard typed them.

A Persian passphrase typed on an Arabic layout yields ARABIC LETTER YEH/KAF instead of
FARSI YEH/KEHEH, and digits may come in Persian, Arabic-Indic or ASCII form. A person
under stress must not be locked out by that, so before derivation a passphrase is put in
Unicode NFC, Arabic yeh/kaf become their Persian forms, and every digit becomes ASCII.
"""

from __future__ import annotations

import unicodedata

from hasteh.vault.errors import BadPassphraseFile, WeakPassphrase

MIN_LENGTH = 8
_FOLD = str.maketrans(
    {
        "\u064a": "\u06cc",  # ARABIC LETTER YEH -> FARSI YEH
        "\u0649": "\u06cc",  # ALEF MAKSURA -> FARSI YEH
        "\u0643": "\u06a9",  # ARABIC LETTER KAF -> KEHEH
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
    }
)


def canonical(passphrase: str) -> bytes:
    """The bytes Argon2id sees for `passphrase`."""
    return unicodedata.normalize("NFC", passphrase).translate(_FOLD).encode("utf-8")


def check_new(passphrase: str) -> None:
    """Refuse a new passphrase that is too short (counted in characters after folding)."""
    if len(unicodedata.normalize("NFC", passphrase).strip()) < MIN_LENGTH:
        raise WeakPassphrase()


def read_passphrase_file(data: bytes) -> str:
    """A passphrase file: UTF-8 text; one trailing newline (LF or CRLF) is dropped."""
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        raise BadPassphraseFile() from None
    if text.endswith("\r\n"):
        return text[:-2]
    if text.endswith("\n"):
        return text[:-1]
    return text
