"""Fitting alerts into one SMS: never over 160, never a word cut, code and link kept."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.notify.sms_text import ELLIPSIS, SMS_LIMIT, fit_sms, gsm_safe, shorten

CODE = "K7QM-3XPA-9D2F-HT6W"
LINK = "https://pantau.karokab.go.id/v1/cases/65f0c0ffee0000000000abcd"

words = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=25
)
texts = st.lists(words, min_size=0, max_size=60)


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(any(word == w for w in it) for word in short)


@settings(max_examples=300)
@given(before=texts, between=texts, after=texts)
def test_shortened_text_keeps_code_and_link_whole_words_in_order(
    before: list[str], between: list[str], after: list[str]
) -> None:
    source = [*before, CODE, *between, LINK, *after]
    result = shorten(" ".join(source), keep=[CODE, LINK])
    assert len(result) <= SMS_LIMIT
    out = result.split()
    assert CODE in out
    assert LINK in out
    # Every word is a word of the input (or the one cut mark), in the input's order.
    assert _is_subsequence([w for w in out if w != ELLIPSIS], source)
    assert out.count(ELLIPSIS) <= 1 + source.count(ELLIPSIS)


@settings(max_examples=300)
@given(text=texts, limit=st.integers(min_value=20, max_value=200))
def test_never_over_the_limit_and_never_a_broken_word(text: list[str], limit: int) -> None:
    result = shorten(" ".join(text), limit=limit)
    assert len(result) <= limit
    assert _is_subsequence([w for w in result.split() if w != ELLIPSIS], text)


@given(text=texts)
def test_a_message_that_fits_is_left_alone(text: list[str]) -> None:
    joined = " ".join(text)
    if len(joined) <= SMS_LIMIT:
        assert shorten(joined, keep=[CODE]) == joined


def test_a_long_title_is_cut_at_a_word_and_marked() -> None:
    text = (
        f"Kasus baru {CODE} (MEDSOS, Tinggi) batas 29/11 23:59 WIB. Buka: {LINK} "
        "ASN membagikan unggahan tim pemenangan pasangan calon nomor urut dua di Facebook"
    )
    result = shorten(text, keep=[CODE, LINK])
    assert result.endswith(ELLIPSIS)
    assert result.startswith(f"Kasus baru {CODE}")
    assert LINK in result
    assert len(result) <= SMS_LIMIT


def test_kept_words_alone_too_long_drop_the_later_one() -> None:
    link = "https://example.go.id/" + "x" * 150
    result = shorten(f"Kasus {CODE} {link}", keep=[CODE, link])
    assert CODE in result
    assert link not in result
    assert len(result) <= SMS_LIMIT


def test_text_is_reduced_to_the_single_width_gsm_alphabet() -> None:
    assert (
        gsm_safe("“Kampanye” — Cianjur… café [x] {y} ~z")
        == '"Kampanye" - Cianjur... cafe (x) (y) -z'
    )
    assert all(ord(c) < 128 for c in fit_sms("Ibu Siti’s «laporan» 🙂", keep=[]))
