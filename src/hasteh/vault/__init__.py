"""The encrypted profile on disk (SQLCipher): key hierarchy, panic, duress, storage.

    vault = unlock(home, passphrase)            # or: with opened(home, p) as vault:
    vault.write(lambda conn: epochs.put_epoch(conn, gid, 7, state))
    vault.read(lambda conn: events.read(conn, gid, after_seq=0, limit=100))
    vault.close()
    panic(home)                                  # crypto-shred, no passphrase needed

Table modules (one concept each, functions take the transaction's `conn`):
`settings`, `epochs`, `events`, `outbox`, `cursors`. Design: docs/vault.md.
"""

from __future__ import annotations

from hasteh.vault.db import Connection, Vault
from hasteh.vault.errors import (
    BadPassphraseFile,
    CorruptProfile,
    MigrationFailed,
    NewerSchema,
    NoProfile,
    ProfileExists,
    ProfileNotWritable,
    SamePassphrases,
    SequenceConflict,
    SettingTypeMismatch,
    StaleEpoch,
    VaultError,
    WeakPassphrase,
    WrongPassphrase,
)
from hasteh.vault.keyfile import DEFAULT_KDF, MIN_KDF, KdfParams
from hasteh.vault.profile import (
    PanicReport,
    change_passphrase,
    create,
    opened,
    panic,
    set_duress,
    unlock,
)
from hasteh.vault.status import Status, collect

__all__ = [
    "DEFAULT_KDF",
    "MIN_KDF",
    "BadPassphraseFile",
    "Connection",
    "CorruptProfile",
    "KdfParams",
    "MigrationFailed",
    "NewerSchema",
    "NoProfile",
    "PanicReport",
    "ProfileExists",
    "ProfileNotWritable",
    "SamePassphrases",
    "SequenceConflict",
    "SettingTypeMismatch",
    "StaleEpoch",
    "Status",
    "Vault",
    "VaultError",
    "WeakPassphrase",
    "WrongPassphrase",
    "change_passphrase",
    "collect",
    "create",
    "opened",
    "panic",
    "set_duress",
    "unlock",
]
