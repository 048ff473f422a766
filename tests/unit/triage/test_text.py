"""Indonesian normalisation, affix stripping, phrase matching and evidence hosts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.triage.domain.text import (
    Normalizer,
    PhraseMatcher,
    fold,
    host_suffixes,
    stem,
    url_host,
)

ABBREVIATIONS = {
    "yg": "yang",
    "dgn": "dengan",
    "utk": "untuk",
    "tdk": "tidak",
    "gk": "tidak",
    "ga": "tidak",
    "nggak": "tidak",
    "sdh": "sudah",
    "bgt": "banget",
    "dll": "dan lain lain",
    "fb": "facebook",
    "ig": "instagram",
    "wa": "whatsapp",
    "yt": "youtube",
    "X": "twitter",
    "paslon": "pasangan calon",
    "2": "dua",
}


def normalizer(vocabulary: tuple[str, ...] = (), stopwords: tuple[str, ...] = ()) -> Normalizer:
    return Normalizer(ABBREVIATIONS, stopwords, markers=("yang", "dan"), vocabulary=vocabulary)


class TestFold:
    def test_lower_cases_and_drops_accents(self) -> None:
        assert fold("CAFÉ") == "cafe"

    def test_collapses_letters_repeated_three_times_or_more(self) -> None:
        assert fold("bangettt") == "banget"
        assert fold("hoaksss") == "hoaks"

    def test_keeps_real_double_letters(self) -> None:
        assert fold("saat") == "saat"


class TestPlainStem:
    @pytest.mark.parametrize(
        ("word", "root"),
        [
            ("dibagikan", "bagi"),
            ("membagikan", "bagi"),
            ("bagikan", "bagi"),
            ("mengunggah", "unggah"),
            ("diunggah", "unggah"),
            ("memposting", "posting"),
            ("diposting", "posting"),
            ("menyukai", "suka"),
            ("mengajak", "ajak"),
            ("memilih", "pilih"),
            ("menulis", "tulis"),
            ("berpose", "pose"),
            ("tercoblos", "coblos"),
            ("dilantik", "lantik"),
            ("memberikan", "beri"),
            ("diperlihatkan", "lihat"),
            ("sekolahnya", "sekolah"),
            ("ngeshare", "share"),
            ("nyebarin", "sebar"),
        ],
    )
    def test_strips_common_affixes(self, word: str, root: str) -> None:
        assert stem(word) == root

    @pytest.mark.parametrize(
        "word",
        ["sekolah", "kepala", "mutasi", "instruksi", "berita", "dinas", "kampanye", "masalah"],
    )
    def test_leaves_roots_that_only_look_affixed(self, word: str) -> None:
        assert stem(word) == word

    def test_leaves_short_words_and_numbers(self) -> None:
        assert stem("di") == "di"
        assert stem("2024") == "2024"


class TestGuidedStem:
    def test_picks_the_reading_the_vocabulary_knows(self) -> None:
        # meng+o could be an o- or a k- root; the vocabulary decides.
        assert stem("mengomentari", {"komentar"}) == "komentar"
        assert stem("memakai", {"pakai"}) == "pakai"

    def test_stops_at_the_least_stripped_known_form(self) -> None:
        assert stem("dibagikan", {"bagikan", "bagi"}) == "bagikan"
        assert stem("dibagikan", {"bagi"}) == "bagi"

    def test_returns_unknown_words_unchanged(self) -> None:
        assert stem("diperiksa", {"bagi"}) == "diperiksa"

    def test_does_not_reduce_place_nouns_to_offices(self) -> None:
        # A district is not its head: "kecamatan" must not read as "camat".
        assert stem("kecamatan", {"camat"}) == "kecamatan"
        assert stem("kelurahan", {"lurah"}) == "kelurahan"

    def test_handles_colloquial_prefixes_and_suffixes(self) -> None:
        vocabulary = {"ejek", "kumpul", "suruh", "ajak"}
        assert stem("ngejek", vocabulary) == "ejek"
        assert stem("ngumpulin", vocabulary) == "kumpul"
        assert stem("nyuruh", vocabulary) == "suruh"
        assert stem("ngajakin", vocabulary) == "ajak"


class TestNormalizer:
    def test_expands_informal_spellings_and_platforms(self) -> None:
        tokens = normalizer().tokens("Yg share dgn FB, IG, WA, yt gk boleh bgt dll")
        assert tokens.words == (
            "yang",
            "share",
            "dengan",
            "facebook",
            "instagram",
            "whatsapp",
            "youtube",
            "tidak",
            "boleh",
            "banget",
            "dan",
            "lain",
            "lain",
        )

    def test_capitalised_key_matches_only_that_spelling(self) -> None:
        words = normalizer().tokens("posting di X, laporan 3 x 24 jam").words
        assert "twitter" in words
        assert words.count("x") == 1

    def test_drops_reduplication_digit_but_keeps_numbers(self) -> None:
        words = normalizer().tokens("ibu2 guru bagi2 sembako, pose 2 jari").words
        assert words == ("ibu", "guru", "bagi", "sembako", "pose", "dua", "jari")

    def test_expands_an_abbreviation_carrying_a_possessive(self) -> None:
        assert normalizer().tokens("fbnya").words == ("facebook",)

    def test_removes_stopwords_after_expansion(self) -> None:
        words = normalizer(stopwords=("yang", "dengan")).tokens("yg foto dgn paslon").words
        assert words == ("foto", "pasangan", "calon")

    def test_stems_towards_its_vocabulary(self) -> None:
        words = normalizer(vocabulary=("bagikan", "unggah")).tokens("Dibagikan, DIUNGGAH").words
        assert words == ("bagikan", "unggah")

    def test_excerpt_returns_the_original_spelling(self) -> None:
        text = "Camat ngeshare status WA paslon"
        tokens = normalizer().tokens(text)
        start = tokens.words.index("whatsapp")
        assert tokens.excerpt(start, start + 3) == "WA paslon"
        assert tokens.excerpt(2, 2) == ""

    def test_counts_raw_words_and_indonesian_markers(self) -> None:
        tokens = normalizer().tokens("yg dan the and")
        assert tokens.source_words == 4
        assert tokens.markers == 2

    @given(st.text(max_size=300))
    def test_never_raises_and_keeps_words_aligned(self, text: str) -> None:
        tokens = normalizer(stopwords=("yang",)).tokens(text)
        assert len(tokens.words) == len(tokens.origin)
        assert all(0 <= i < tokens.source_words for i in tokens.origin)


def matcher(*phrases: str, window: int = 3) -> tuple[PhraseMatcher, Normalizer]:
    norm = Normalizer({}, stopwords=("yang", "di"))
    compiled = [norm.phrase_parts(p) for p in phrases]
    return PhraseMatcher(compiled, window), norm


def found(phrases: tuple[str, ...], text: str, longest_only: bool = True) -> list[str]:
    m, norm = matcher(*phrases)
    tokens = norm.tokens(text)
    return [phrases[h.key] for h in m.find(tokens.words, longest_only=longest_only)]


class TestPhraseMatcher:
    def test_finds_single_and_multi_word_phrases_in_text_order(self) -> None:
        phrases = ("mobil dinas", "kampanye", "plat merah")
        assert found(phrases, "kampanye pakai mobil dinas plat merah") == [
            "kampanye",
            "mobil dinas",
            "plat merah",
        ]

    def test_proximity_phrase_needs_its_parts_close_and_in_order(self) -> None:
        phrases = ("foto ... calon",)
        assert found(phrases, "foto bersama pasangan calon") == ["foto ... calon"]
        assert found(phrases, "foto di kantor kemarin sore bersama calon") == []
        assert found(phrases, "calon difoto") == []

    def test_longer_phrase_hides_the_phrases_inside_it(self) -> None:
        phrases = ("kampanye", "alat peraga kampanye", "ajak", "ajak ... pilih")
        assert found(phrases, "pasang alat peraga kampanye lalu ajak warga pilih") == [
            "alat peraga kampanye",
            "ajak ... pilih",
        ]
        assert found(phrases, "kampanye akbar") == ["kampanye"]

    def test_overlapping_phrases_both_count(self) -> None:
        phrases = ("pengumuman resmi", "resmi kpu")
        assert found(phrases, "pengumuman resmi kpu") == ["pengumuman resmi", "resmi kpu"]

    def test_can_return_every_occurrence(self) -> None:
        phrases = ("kampanye", "alat peraga kampanye")
        assert sorted(found(phrases, "alat peraga kampanye", longest_only=False)) == [
            "alat peraga kampanye",
            "kampanye",
        ]

    def test_a_phrase_at_the_very_end_of_the_text(self) -> None:
        assert found(("mobil dinas",), "pakai mobil") == []
        assert found(("mobil dinas",), "pakai mobil dinas") == ["mobil dinas"]

    def test_empty_matcher_and_empty_text(self) -> None:
        assert PhraseMatcher([], 3).find(("a", "b")) == []
        assert found(("kampanye",), "") == []


class TestUrlHost:
    @pytest.mark.parametrize(
        ("url", "host"),
        [
            ("https://www.facebook.com/permalink.php?id=1", "facebook.com"),
            ("http://m.facebook.com/story", "m.facebook.com"),
            ("HTTPS://WWW.TikTok.com/@akun/video/1", "tiktok.com"),
            ("instagram.com/p/abc", "instagram.com"),
            ("vt.tiktok.com/ZSabc/", "vt.tiktok.com"),
            ("https://chat.whatsapp.com/AbC", "chat.whatsapp.com"),
            ("https://user@youtu.be:443/xyz", "youtu.be"),
        ],
    )
    def test_extracts_the_host(self, url: str, host: str) -> None:
        assert url_host(url) == host

    @pytest.mark.parametrize(
        "url", ["", "   ", "not a url", "http://[::1", "localhost", "https://", "berita hari ini"]
    )
    def test_returns_none_for_what_is_not_a_link(self, url: str) -> None:
        assert url_host(url) is None

    def test_parent_domains_for_lookup(self) -> None:
        assert host_suffixes("m.facebook.com") == ["m.facebook.com", "facebook.com"]
        assert host_suffixes("youtu.be") == ["youtu.be"]
