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

Each class carries one `VaultCode` (`hasteh.errors` gives the contract); the faces
translate it and choose the next step. No message contains a passphrase, a key,
plaintext, a group id or a file name; `detail` (which part of the profile failed, a fixed
English phrase) is kept for a bug report and never shown as the message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from hasteh.errors import Domain, HastehError

VaultCode = Literal[
    "wrong-passphrase",
    "weak-passphrase",
    "bad-passphrase-file",
    "same-passphrases",
    "profile-exists",
    "no-profile",
    "corrupt-profile",
    "newer-schema",
    "migration-failed",
    "profile-not-writable",
    "stale-epoch",
    "sequence-conflict",
    "setting-type-mismatch",
]

#: English templates of `VaultCode` (gettext msgids).
VAULT_MESSAGES: Mapping[VaultCode, str] = {
    "wrong-passphrase": "Wrong passphrase.",
    "weak-passphrase": "This passphrase is too short.",
    "bad-passphrase-file": "The passphrase file is not UTF-8 text.",
    "same-passphrases": "The duress passphrase must differ from the passphrase.",
    "profile-exists": "A profile already exists here.",
    "no-profile": "There is no profile here.",
    "corrupt-profile": "The profile is damaged and cannot be opened.",
    "newer-schema": (
        "This profile was written by a newer version of hasteh "
        "(profile version {found}; this hasteh reads up to {supported})."
    ),
    "migration-failed": (
        "The profile could not be upgraded to this version of hasteh (step {step})."
    ),
    "profile-not-writable": "The profile folder cannot be written.",
    "stale-epoch": "An older epoch than the stored one cannot be saved.",
    "sequence-conflict": "Another event already holds this position in the log.",
    "setting-type-mismatch": "A stored setting does not have the expected type.",
}


class VaultError(HastehError):
    """Base class of the vault's deliberate errors; each subclass has one `vault_code`."""

    domain: ClassVar[Domain] = "vault"
    templates: ClassVar[Mapping[Any, str]] = VAULT_MESSAGES
    code: VaultCode
    vault_code: ClassVar[VaultCode]

    def __init__(self, detail: str = "") -> None:
        super().__init__(self.vault_code)
        self.detail = detail


class WrongPassphrase(VaultError):
    """No key slot opened with this passphrase. Deliberately says nothing more."""

    vault_code = "wrong-passphrase"


class WeakPassphrase(VaultError):
    vault_code = "weak-passphrase"


class BadPassphraseFile(VaultError):
    vault_code = "bad-passphrase-file"


class SamePassphrases(VaultError):
    vault_code = "same-passphrases"


class ProfileExists(VaultError):
    vault_code = "profile-exists"


class NoProfile(VaultError):
    vault_code = "no-profile"


class CorruptProfile(VaultError):
    vault_code = "corrupt-profile"


class NewerSchema(VaultError):
    vault_code = "newer-schema"

    def __init__(self, found: int, supported: int) -> None:
        HastehError.__init__(self, self.vault_code, found=found, supported=supported)
        self.detail = ""
        self.found = found
        self.supported = supported


class MigrationFailed(VaultError):
    vault_code = "migration-failed"

    def __init__(self, step: int) -> None:
        HastehError.__init__(self, self.vault_code, step=step)
        self.detail = ""
        self.step = step


class ProfileNotWritable(VaultError):
    vault_code = "profile-not-writable"


class StaleEpoch(VaultError):
    vault_code = "stale-epoch"


class SequenceConflict(VaultError):
    vault_code = "sequence-conflict"


class SettingTypeMismatch(VaultError):
    vault_code = "setting-type-mismatch"


__all__ = [
    "VAULT_MESSAGES",
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
    "VaultCode",
    "VaultError",
    "WeakPassphrase",
    "WrongPassphrase",
]
