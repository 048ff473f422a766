"""The reporter vault: identities encrypted at rest, apart from the case, opened on purpose.

AES-256-GCM (an authenticated cipher) from ``cryptography``. The case id is the associated
data, so a sealed identity cannot be moved to another case without failing to open. Every
record names the key it was sealed with, so keys can be rotated without guessing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.secret_keys import KeyFormatError, decode_key

# Letters and digits that survive being read aloud; the pseudonym is what officers see.
_PSEUDONYM_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"


class VaultError(Exception):
    """The vault cannot seal or open: no key configured, or a record that fails to open."""


def parse_key(encoded: str) -> bytes:
    """A 32-byte key from its base64 form, or VaultError saying what is wrong."""
    try:
        return decode_key(encoded, "PANTAU_VAULT_KEY")
    except KeyFormatError as exc:
        raise VaultError(str(exc)) from exc


def new_key() -> str:
    """A fresh key in the form PANTAU_VAULT_KEY expects."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def new_pseudonym() -> str:
    """What officers see instead of the reporter's name, e.g. ``Pelapor-7F3K9Q``."""
    return "Pelapor-" + "".join(secrets.choice(_PSEUDONYM_ALPHABET) for _ in range(6))


class Vault:
    """Seals and opens reporter identities with one key."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)
        self.key_id = hashlib.sha256(key).hexdigest()[:12]

    def seal(self, identity: dict[str, Any], case_id: str) -> dict[str, Any]:
        """The stored form of ``identity`` for ``case_id``."""
        nonce = os.urandom(12)
        plaintext = json.dumps(identity, ensure_ascii=False, sort_keys=True).encode()
        ciphertext = self._aead.encrypt(nonce, plaintext, case_id.encode())
        return {"key_id": self.key_id, "nonce": nonce, "ciphertext": ciphertext}

    def open(self, record: dict[str, Any], case_id: str) -> dict[str, Any]:
        """The identity sealed in ``record``; VaultError if it was sealed elsewhere or altered."""
        if record.get("key_id") != self.key_id:
            raise VaultError("this identity was sealed with another vault key")
        try:
            plaintext = self._aead.decrypt(
                bytes(record["nonce"]), bytes(record["ciphertext"]), case_id.encode()
            )
        except InvalidTag as exc:
            raise VaultError("the sealed identity does not open: altered or misplaced") from exc
        identity: dict[str, Any] = json.loads(plaintext)
        return identity
