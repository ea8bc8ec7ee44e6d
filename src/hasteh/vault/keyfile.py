"""The key file: Argon2id parameters, a salt and two fixed-size AES-256-GCM key slots.

Layout (all integers big-endian, 152 bytes in total, the same with or without duress):

    offset size  field
         0    4  magic b"HSTK"
         4    1  format version (1)
         5    4  Argon2id memory in KiB
         9    4  Argon2id iterations (t)
        13    1  Argon2id lanes (p)
        14   16  salt
        30   61  slot 0: nonce (12) || AES-256-GCM(kek, role (1) || db key (32)) (33 + 16)
        91   61  slot 1: same
       152       end

The passphrase is derived once (Argon2id over the header's parameters and salt) into a
key-encryption key (KEK); the KEK is tried on *both* slots, every time. Slot i wraps the
key of database file i. The associated data of a slot is the header (bytes 0..30) plus the
slot number, so parameters, salt and slot position cannot be changed without detection.
An unused slot holds 61 random bytes, which cannot be told apart from a used one.
"""

from __future__ import annotations

import enum
import os
import struct
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hasteh.vault.errors import CorruptProfile

MAGIC = b"HSTK"
VERSION = 1
SALT_SIZE = 16
KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16
SLOT_COUNT = 2
_HEADER = struct.Struct(">4sBIIB16s")
HEADER_SIZE = _HEADER.size  # 30
SLOT_PLAINTEXT_SIZE = 1 + KEY_SIZE
SLOT_SIZE = NONCE_SIZE + SLOT_PLAINTEXT_SIZE + TAG_SIZE  # 61
KEYFILE_SIZE = HEADER_SIZE + SLOT_COUNT * SLOT_SIZE  # 152

# Bounds a key file must respect to be parsed at all (a crafted file must not make us
# allocate 4 TiB or loop forever). The *policy* minimum is MIN_KDF below.
_MAX_MEMORY_KIB = 4 * 1024 * 1024
_MAX_ITERATIONS = 64
_MAX_LANES = 16


@dataclass(frozen=True, slots=True)
class KdfParams:
    """Argon2id cost: memory in KiB, iterations (t) and lanes (p)."""

    memory_kib: int
    iterations: int
    lanes: int

    def is_at_least(self, other: KdfParams) -> bool:
        return self.memory_kib >= other.memory_kib and self.iterations >= other.iterations

    def check_parsable(self) -> None:
        if not (1 <= self.lanes <= _MAX_LANES):
            raise CorruptProfile("kdf lanes")
        if not (8 * self.lanes <= self.memory_kib <= _MAX_MEMORY_KIB):
            raise CorruptProfile("kdf memory")
        if not (1 <= self.iterations <= _MAX_ITERATIONS):
            raise CorruptProfile("kdf iterations")


#: Production cost: 128 MiB, t=3, 4 lanes (about 0.3 s on a 2-core EPYC; see docs/benchmarks.md).
DEFAULT_KDF = KdfParams(memory_kib=128 * 1024, iterations=3, lanes=4)
#: The weakest cost a profile may be created or opened with outside tests.
MIN_KDF = KdfParams(memory_kib=64 * 1024, iterations=3, lanes=1)


class SlotRole(enum.IntEnum):
    """What opening a slot means. Only visible after the slot decrypts."""

    PRIMARY = 1
    DURESS = 2  # opening it shreds the other slot and its database


@dataclass(frozen=True, slots=True)
class Header:
    kdf: KdfParams
    salt: bytes

    def to_bytes(self) -> bytes:
        k = self.kdf
        return _HEADER.pack(MAGIC, VERSION, k.memory_kib, k.iterations, k.lanes, self.salt)


@dataclass(frozen=True, slots=True)
class KeyFile:
    header: Header
    slots: tuple[bytes, bytes]

    def to_bytes(self) -> bytes:
        return self.header.to_bytes() + self.slots[0] + self.slots[1]

    @classmethod
    def from_bytes(cls, data: bytes) -> KeyFile:
        """Parse a key file; any malformed input raises `CorruptProfile`."""
        if len(data) != KEYFILE_SIZE:
            raise CorruptProfile("key file size")
        magic, version, memory, iterations, lanes, salt = _HEADER.unpack_from(data, 0)
        if magic != MAGIC:
            raise CorruptProfile("key file magic")
        if version != VERSION:
            raise CorruptProfile("key file version")
        kdf = KdfParams(memory_kib=memory, iterations=iterations, lanes=lanes)
        kdf.check_parsable()
        slot0 = data[HEADER_SIZE : HEADER_SIZE + SLOT_SIZE]
        slot1 = data[HEADER_SIZE + SLOT_SIZE :]
        return cls(Header(kdf, salt), (slot0, slot1))

    def with_slot(self, index: int, slot: bytes) -> KeyFile:
        slots = (slot, self.slots[1]) if index == 0 else (self.slots[0], slot)
        return KeyFile(self.header, slots)


def new_header(kdf: KdfParams) -> Header:
    kdf.check_parsable()
    return Header(kdf, os.urandom(SALT_SIZE))


def derive_kek(passphrase: bytes, header: Header) -> bytes:
    """Argon2id(passphrase, salt) -> 32-byte key-encryption key. The slow step."""
    k = header.kdf
    return bytes(
        hash_secret_raw(
            passphrase, header.salt, k.iterations, k.memory_kib, k.lanes, KEY_SIZE, Type.ID
        )
    )


def _aad(header: Header, index: int) -> bytes:
    return header.to_bytes() + bytes([index])


def seal_slot(kek: bytes, header: Header, index: int, role: SlotRole, db_key: bytes) -> bytes:
    if len(db_key) != KEY_SIZE:
        raise ValueError("database key must be 32 bytes")
    nonce = os.urandom(NONCE_SIZE)
    body = AESGCM(kek).encrypt(nonce, bytes([role]) + db_key, _aad(header, index))
    return nonce + body


def random_slot() -> bytes:
    """An unused slot: random bytes, indistinguishable from a sealed one."""
    return os.urandom(SLOT_SIZE)


@dataclass(frozen=True, slots=True)
class OpenedSlot:
    index: int
    role: SlotRole
    db_key: bytes


def open_slots(kek: bytes, keyfile: KeyFile) -> list[OpenedSlot]:
    """Try the KEK on every slot (always all of them, never stopping early)."""
    opened: list[OpenedSlot] = []
    aead = AESGCM(kek)
    for index, slot in enumerate(keyfile.slots):
        try:
            plain = aead.decrypt(slot[:NONCE_SIZE], slot[NONCE_SIZE:], _aad(keyfile.header, index))
        except InvalidTag:
            continue
        try:
            role = SlotRole(plain[0])
        except ValueError:
            continue
        opened.append(OpenedSlot(index, role, plain[1:]))
    return opened
