"""A citizen's contact sealed for notify: it opens with the shared key, for its own case only."""

from __future__ import annotations

import base64

import pytest

from shared.sealed_contacts import Contact, ContactSeal, SealError, parse_key

KEY = bytes(range(32))
CONTACT = Contact(email="siti.rahmawati@contoh.id", phone="+6281260001234")


def test_a_sealed_contact_opens_for_its_case() -> None:
    seal = ContactSeal(KEY)
    sealed = seal.seal(CONTACT, "case-1")
    assert seal.open(sealed, "case-1") == CONTACT
    assert ContactSeal(KEY).open(sealed, "case-1") == CONTACT  # another process, same key


def test_nothing_of_the_contact_is_readable_in_the_sealed_form() -> None:
    sealed = ContactSeal(KEY).seal(CONTACT, "case-1")
    decoded = b"".join(base64.urlsafe_b64decode(p + "==") for p in sealed.split(".")[1:])
    for part in ("siti", "contoh", "81260001234"):
        assert part not in sealed
        assert part.encode() not in decoded
    # Two seals of one contact differ (a fresh nonce each time).
    assert sealed != ContactSeal(KEY).seal(CONTACT, "case-1")


def _altered(sealed: str) -> str:
    """One character of the ciphertext changed (its first: six bits of data, never padding)."""
    key_id, nonce, body = sealed.split(".")
    return ".".join((key_id, nonce, ("A" if body[0] != "A" else "B") + body[1:]))


@pytest.mark.parametrize(
    ("sealed", "case_id"),
    [
        (ContactSeal(KEY).seal(CONTACT, "case-1"), "case-2"),  # moved to another case
        (_altered(ContactSeal(KEY).seal(CONTACT, "case-1")), "case-1"),
        (ContactSeal(KEY).seal(CONTACT, "case-1").split(".", 1)[1], "case-1"),  # cut
        ("not sealed at all", "case-1"),
    ],
    ids=["moved", "altered", "cut", "garbage"],
)
def test_a_contact_moved_altered_or_cut_does_not_open(sealed: str, case_id: str) -> None:
    with pytest.raises(SealError):
        ContactSeal(KEY).open(sealed, case_id)


def test_another_key_does_not_open_it() -> None:
    sealed = ContactSeal(KEY).seal(CONTACT, "case-1")
    with pytest.raises(SealError, match="another"):
        ContactSeal(bytes(32)).open(sealed, "case-1")


def test_a_key_that_is_no_key_is_refused_by_name() -> None:
    assert parse_key(base64.b64encode(KEY).decode()) == KEY
    with pytest.raises(SealError, match="PANTAU_RECEIPT_KEY"):
        parse_key("not base64!")
    with pytest.raises(SealError, match="32 bytes"):
        parse_key(base64.b64encode(b"short").decode())
