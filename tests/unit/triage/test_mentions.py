"""Finding the people officers declared conflicts with in a report's text."""

from __future__ import annotations

from services.triage.domain.mentions import mentioned_people


def test_names_are_found_whatever_the_titles_and_spelling() -> None:
    text = "Staf mendukung paslon Drs. H. Muh. Ridwan Hasibuan, S.Sos dan Bobby NASUTION."
    people = ["Muhammad Ridwan Hasibuan", "bobby nasution", "Edy Rahmayadi"]
    assert mentioned_people(text, people) == {"Muhammad Ridwan Hasibuan", "bobby nasution"}


def test_a_name_must_appear_as_whole_words() -> None:
    assert mentioned_people("Pak Budiman hadir di deklarasi", ["Budi"]) == frozenset()
    assert mentioned_people("Pak Budi hadir di deklarasi", ["Budi"]) == {"Budi"}


def test_batak_clan_marker_is_optional() -> None:
    text = "Rehulina br Sembiring ikut kampanye"
    assert mentioned_people(text, ["Rehulina Sembiring"]) == {"Rehulina Sembiring"}


def test_nips_are_found_with_or_without_spaces() -> None:
    text = "Terlapor (NIP 19800514 200604 1 007) membagikan unggahan"
    assert mentioned_people(text, ["198005142006041007", "199001012015011001"]) == {
        "198005142006041007"
    }


def test_nothing_to_find() -> None:
    assert mentioned_people("", ["Budi"]) == frozenset()
    assert mentioned_people("Budi", ["", "  "]) == frozenset()
