"""A citizen's contact, sealed for the one service that sends them their tracking code.

A confidential reporter's name and contact are sealed in intake's vault. Their tracking code
still has to reach them, so the contact travels to notify in an event; written readable, it
would sit in intake's outbox, in MongoDB's replication log and backups, and in RabbitMQ's
queues and their logs on disk, where anyone who reads those could learn who reported whom.
So the event carries it sealed, with a key intake and notify share
(``PANTAU_RECEIPT_KEY``) and no other service holds: AES-256-GCM from ``cryptography``,
with the case id as associated data, so a sealed contact opens only for its own case.

The sealed form is text (it rides in a JSON event): the key's id, the nonce and the
ciphertext, each base64url, joined by dots.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.secret_keys import KeyFormatError, decode_key

_NONCE_BYTES: Final = 12


class SealError(Exception):
    """A key that is no key, or a sealed contact that does not open with it."""


@dataclass(frozen=True)
class Contact:
    email: str | None = None
    phone: str | None = None


def parse_key(encoded: str) -> bytes:
    """The 32-byte key from its base64 form, or SealError saying what is wrong."""
    try:
        return decode_key(encoded, "PANTAU_RECEIPT_KEY")
    except KeyFormatError as exc:
        raise SealError(str(exc)) from exc


def seal_from(encoded: str) -> ContactSeal | None:
    """The seal of a configured ``PANTAU_RECEIPT_KEY`` (None when it is not set); SealError
    when it is set and is no key, so a service never starts sealing what nobody can open."""
    return ContactSeal(parse_key(encoded)) if encoded else None


def _text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _bytes(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ContactSeal:
    """Seals and opens contacts with one key."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)
        self.key_id = hashlib.sha256(b"pantau receipts " + key).hexdigest()[:12]

    def seal(self, contact: Contact, case_id: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        plain = json.dumps({"email": contact.email, "phone": contact.phone}).encode()
        sealed = self._aead.encrypt(nonce, plain, case_id.encode())
        return ".".join((self.key_id, _text(nonce), _text(sealed)))

    def open(self, sealed: str, case_id: str) -> Contact:
        """The contact sealed in ``sealed`` for ``case_id``; SealError if it does not open."""
        parts = sealed.split(".")
        if len(parts) != 3:
            raise SealError("not a sealed contact")
        key_id, nonce, body = parts
        if key_id != self.key_id:
            raise SealError("sealed with another PANTAU_RECEIPT_KEY")
        try:
            plain = self._aead.decrypt(_bytes(nonce), _bytes(body), case_id.encode())
            found = json.loads(plain)
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise SealError("the sealed contact does not open: altered or misplaced") from exc
        return Contact(email=found.get("email"), phone=found.get("phone"))
