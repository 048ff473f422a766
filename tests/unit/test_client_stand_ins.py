"""What the per-address limits count in place of a citizen's address."""

from __future__ import annotations

import hashlib

import pytest

from shared.client_stand_ins import counted_as, is_stand_in, key_from, stand_in

KEY = key_from(b"a service's secret", "console")


def test_one_address_is_one_stand_in_and_two_are_two() -> None:
    assert stand_in("203.0.113.7", KEY) == stand_in("203.0.113.7", KEY)
    assert stand_in("203.0.113.7", KEY) != stand_in("203.0.113.8", KEY)
    assert is_stand_in(stand_in("203.0.113.7", KEY))


def test_a_stand_in_gives_nothing_back_without_the_key() -> None:
    found = stand_in("203.0.113.7", KEY)
    assert "203" not in found
    # Neither the address's plain hash nor the stand-in under another service's key.
    assert found != hashlib.sha256(b"203.0.113.7").hexdigest()[: len(found)]
    assert found != stand_in("203.0.113.7", key_from(b"a service's secret", "intake"))
    assert found != stand_in("203.0.113.7", key_from(b"another secret", "console"))


def test_the_key_is_not_the_secret() -> None:
    assert b"a service's secret" not in KEY
    assert len(KEY) == 32


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # A device picks new addresses within its household's /64 at will.
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2:bbbb:cccc:dddd:eeee"),
        # Two spellings of one address.
        ("2001:DB8:1:2::1", "2001:db8:1:2:0:0:0:1"),
        # An IPv4 client seen through an IPv6 socket.
        ("::ffff:203.0.113.7", "203.0.113.7"),
        (" 203.0.113.7", "203.0.113.7"),
    ],
)
def test_one_sender_however_its_address_is_written(one: str, other: str) -> None:
    assert counted_as(one) == counted_as(other)
    assert stand_in(one, KEY) == stand_in(other, KEY)


def test_neighbouring_households_are_two_senders() -> None:
    assert stand_in("2001:db8:1:2::1", KEY) != stand_in("2001:db8:1:3::1", KEY)
    assert counted_as("2001:db8:1:2::1") == "2001:db8:1:2::/64"


def test_what_is_no_address_still_counts_as_itself() -> None:
    assert counted_as("unknown") == "unknown"
    assert is_stand_in(stand_in("unknown", KEY))


@pytest.mark.parametrize(
    "value",
    [
        "",
        "203.0.113.7",
        "6DEB4E8DDEEEA83E66D869DD93F9ECB8",
        "6deb4e8d",
        "6deb4e8ddeeea83e66d869dd93f9ecb8a",
        "g" * 32,
    ],
)
def test_only_a_stand_ins_form_is_taken_as_one(value: str) -> None:
    assert not is_stand_in(value)
