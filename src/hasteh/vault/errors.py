"""Errors of the encrypted profile on disk.

    HastehError
     └── VaultError                 (the encrypted profile on disk)
          ├── WrongPassphrase       (the person: no key slot opened; says nothing more)
          ├── WeakPassphrase        (the person: a new passphrase is too short)
          ├── BadPassphraseFile     (the person: a passphrase file is not UTF-8 text)
          ├── SamePassphrases       (the person: duress passphrase equals the passphrase)
          ├── ProfileExists         (the person: init over an existing profile)
          ├── NoProfile             (the person: nothing to open, or it was shredded)
          ├── CorruptProfile        (the disk: a file is damaged or was tampered with)
          ├── NewerSchema           (the installation: a newer hasteh wrote this profile)
          ├── MigrationFailed       (our bug: an upgrade step failed and was rolled back)
          ├── ProfileNotWritable    (the disk: the profile folder cannot be written)
          ├── StaleEpoch            (the caller: an older MLS epoch than the stored one)
          ├── SequenceConflict      (the caller: another event already holds this seq)
          └── SettingTypeMismatch   (the caller: a stored setting has another type)

Every message is an English msgid translated through `hasteh.i18n._` when the error is
raised. No message contains a passphrase, a key, plaintext, a group id or a file name of
a secret; the profile folder is the only path ever mentioned, and only by the faces.
"""

from __future__ import annotations

from hasteh.errors import HastehError
from hasteh.i18n import _


class VaultError(HastehError):
    """Base class of the vault's deliberate errors."""

    message = "The encrypted profile could not be used."
    hint = ""

    def __init__(self, detail: str | None = None) -> None:
        text = _(self.message)
        if detail:
            text = f"{text} ({detail})"
        super().__init__(text)
        self.next_step = _(self.hint) if self.hint else ""


class WrongPassphrase(VaultError):
    """No key slot opened with this passphrase. Deliberately says nothing more."""

    message = "Wrong passphrase."
    hint = "Check the keyboard layout and try again."


class WeakPassphrase(VaultError):
    message = "This passphrase is too short."
    hint = "Use at least 8 characters; several unrelated words are best."


class BadPassphraseFile(VaultError):
    message = "The passphrase file is not UTF-8 text."
    hint = "Save the passphrase file as UTF-8, or type the passphrase when asked."


class SamePassphrases(VaultError):
    message = "The duress passphrase must differ from the passphrase."
    hint = "Choose a different duress passphrase."


class ProfileExists(VaultError):
    message = "A profile already exists here."
    hint = "Use it, or choose another folder with --home."


class NoProfile(VaultError):
    message = "There is no profile here."
    hint = "Create one with 'hasteh init', or choose another folder with --home."


class CorruptProfile(VaultError):
    message = "The profile is damaged and cannot be opened."
    hint = "Nothing was changed. Restore it from a backup, or remove it with 'hasteh panic'."


class NewerSchema(VaultError):
    message = "This profile was written by a newer version of hasteh."
    hint = "Nothing was changed. Install the newer version of hasteh to open it."

    def __init__(self, found: int, supported: int) -> None:
        super().__init__(f"{found} > {supported}")
        self.found = found
        self.supported = supported


class MigrationFailed(VaultError):
    message = "The profile could not be upgraded to this version of hasteh."
    hint = "Nothing was changed. Keep using the previous version and report this bug."

    def __init__(self, step: int) -> None:
        super().__init__(f"{step} -> {step + 1}")
        self.step = step


class ProfileNotWritable(VaultError):
    message = "The profile folder cannot be written."
    hint = "Check that the disk is not read-only and that you own the folder."


class StaleEpoch(VaultError):
    message = "An older epoch than the stored one cannot be saved."
    hint = "This is a bug in the caller; please report it."


class SequenceConflict(VaultError):
    message = "Another event already holds this position in the log."
    hint = "This is a bug in the caller; please report it."


class SettingTypeMismatch(VaultError):
    message = "A stored setting does not have the expected type."
    hint = "Set it again with the expected type."


__all__ = [
    "BadPassphraseFile",
    "CorruptProfile",
    "MigrationFailed",
    "NewerSchema",
    "NoProfile",
    "ProfileExists",
    "ProfileNotWritable",
    "SamePassphrases",
    "SequenceConflict",
    "SettingTypeMismatch",
    "StaleEpoch",
    "VaultError",
    "WeakPassphrase",
    "WrongPassphrase",
]
