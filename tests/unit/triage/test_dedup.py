from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bench.dedup_quality import PAIRS_PATH, evaluate, load_pairs, load_rows, precision_recall
from services.triage.domain.dedup import (
    DedupConfig,
    DedupFacts,
    Match,
    blocking_keys,
    facts_from,
    find_matches,
    link_keys,
    needs_text,
    person_keys,
    person_query_keys,
    province_clusters,
)
from services.triage.domain.text_signature import (
    similarity,
    text_keys,
    text_signature,
    text_tokens,
)
from services.triage.domain.urls import canonical_url, url_kind
from shared.regions import parse_region_code

REPO_ROOT = Path(__file__).resolve().parents[3]
WITA = timezone(timedelta(hours=8))
T0 = datetime(2024, 11, 8, 10, 0, tzinfo=WITA)
CONFIG = DedupConfig()

HOAX = (
    "Pesan berantai: Pemungutan suara Pilkada Kalimantan Timur diundur menjadi 4 Desember "
    "karena logistik surat suara belum lengkap. Pengumuman resmi KPU menyusul. Jangan datang "
    "ke TPS tanggal 27 November, sebarkan ke keluarga."
)
HOAX_EDITED = (
    "pesan berantai: pemungutan suara pilkada Kalimantan Timur diundur jadi 4 Desember karena "
    "logistik surat suara blm lengkap. Pengumuman resmi KPU menyusul. Jangan datang ke TPS "
    "tgl 27 November!!! sebarkan ke keluarga"
)
OTHER_HOAX = (
    "Beredar kabar bahwa air PDAM di Sangatta Utara diracun menjelang pencoblosan supaya warga "
    "takut keluar rumah dan tidak datang ke TPS. Kabar ini tidak pernah disampaikan PDAM."
)


def facts(
    case_id: str,
    *,
    tenant: str = "64.02",
    at: datetime = T0,
    title: str = "",
    text: str = "",
    urls: Sequence[str] = (),
    accused: Sequence[tuple[str, str | None, str | None]] = (),
    category: str | None = None,
) -> DedupFacts:
    return facts_from(case_id, tenant, at, title, text, urls, accused, category)


# ------------------------------------------------------------------------ URLs

POST = "https://x.com/i/status/1841523967204417536"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://twitter.com/RehulinaSbr/status/1841523967204417536?s=20&t=Xk2m", POST),
        ("http://mobile.twitter.com/i/web/status/1841523967204417536", POST),
        ("https://fxtwitter.com/a/status/1841523967204417536/photo/1", POST),
        ("https://vxtwitter.com/a/status/1841523967204417536", POST),
        ("x.com/RehulinaSbr/status/1841523967204417536#replies", POST),
        (
            "https://m.facebook.com/story.php?story_fbid=pfbid02abc&id=1000876&mibextid=Nif5oz",
            "https://facebook.com/permalink.php?id=1000876&story_fbid=pfbid02abc",
        ),
        (
            "HTTP://WEB.Facebook.com/permalink.php?id=1000876&story_fbid=pfbid02abc&fbclid=IwA&_rdr",
            "https://facebook.com/permalink.php?id=1000876&story_fbid=pfbid02abc",
        ),
        ("https://fb.com/budi.santoso.9/", "https://facebook.com/budi.santoso.9"),
        (
            "https://mbasic.facebook.com/groups/123/posts/456/?__cft__[0]=AZX&__tn__=%2CO",
            "https://facebook.com/groups/123/posts/456",
        ),
        ("https://youtu.be/Qm3xT8pLk2A?si=vG7d&t=245", "https://youtube.com/watch?v=Qm3xT8pLk2A"),
        (
            "https://m.youtube.com/watch?feature=share&v=Qm3xT8pLk2A&pp=ygU",
            "https://youtube.com/watch?v=Qm3xT8pLk2A",
        ),
        ("https://www.youtube.com/shorts/Qm3xT8pLk2A", "https://youtube.com/watch?v=Qm3xT8pLk2A"),
        ("https://vt.tiktok.com/ZSjR8kLmN/", "https://vt.tiktok.com/ZSjR8kLmN"),
        ("https://vm.tiktok.com/ZSjR8kLmN?_r=1", "https://vm.tiktok.com/ZSjR8kLmN"),
        (
            "https://www.tiktok.com/@Ibu.Sarinah/video/7430011223344556677?is_from_webapp=1",
            "https://tiktok.com/@ibu.sarinah/video/7430011223344556677",
        ),
        ("https://instagr.am/p/DBa7kQzPx3m/?igshid=YmMy", "https://instagram.com/p/DBa7kQzPx3m"),
        (
            "https://www.instagram.com/reel/DBa7kQzPx3m/?igsh=MWd4",
            "https://instagram.com/p/DBa7kQzPx3m",
        ),
        (
            "https://kaltimpost.id/berita/hoaks-kotak-suara/?utm_source=wa&utm_medium=x&ref=share",
            "https://kaltimpost.id/berita/hoaks-kotak-suara",
        ),
        (
            "https://contoh.go.id/berita?page=2&id=7&gclid=abc",
            "https://contoh.go.id/berita?id=7&page=2",
        ),
        ("https://contoh.go.id:8443/a/", "https://contoh.go.id:8443/a"),
        ("https://contoh.go.id:443/a", "https://contoh.go.id/a"),
        # "web.id" is a registrable domain, not a web skin of "id".
        ("https://pantau.web.id/", "https://pantau.web.id"),
        (
            "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.detik.com%2Fberita%2Fd-1%3Futm_source%3Dfb",
            "https://detik.com/berita/d-1",
        ),
    ],
)
def test_canonical_url(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "bukan tautan",
        "mailto:budi@contoh.go.id",
        "ftp://contoh.go.id/a",
        "javascript:alert(1)",
        "http://[::1",
        "https://",
        "https://contoh.go.id:99999/",
        "file:///etc/hosts",
    ],
)
def test_canonical_url_refuses_what_is_not_an_http_link(raw: str) -> None:
    assert canonical_url(raw) is None


_HOSTS = [
    "twitter.com",
    "www.facebook.com",
    "m.youtube.com",
    "youtu.be",
    "instagr.am",
    "vt.tiktok.com",
    "www.tiktok.com",
    "kaltimpost.id",
    "contoh.go.id",
    "web.facebook.com",
]
_SEGMENT = st.text(alphabet="abcXYZ019-_.~%é ", min_size=1, max_size=8)
_PARAM = st.tuples(
    st.sampled_from(
        [
            "v",
            "id",
            "story_fbid",
            "page",
            "q",
            "utm_source",
            "fbclid",
            "si",
            "s",
            "t",
            "ref",
            "igshid",
            "lang",
        ]
    ),
    st.text(alphabet="abc019&=%+ ", max_size=6),
)
_URLS = st.builds(
    lambda scheme, host, segments, params, fragment: (
        f"{scheme}://{host}/{'/'.join(segments)}"
        + ("?" + "&".join(f"{k}={v}" for k, v in params) if params else "")
        + (f"#{fragment}" if fragment else "")
    ),
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from(_HOSTS),
    st.lists(_SEGMENT, max_size=4),
    st.lists(_PARAM, max_size=4),
    st.text(alphabet="abc", max_size=3),
)


@given(_URLS)
def test_canonical_url_is_idempotent(raw: str) -> None:
    once = canonical_url(raw)
    assert once is not None
    assert canonical_url(once) == once
    assert once.startswith("https://")
    assert "#" not in once


@given(
    _URLS,
    st.lists(
        st.sampled_from(
            ["utm_source=wa", "fbclid=IwAR", "igshid=Yz", "gclid=x", "mibextid=Nif5oz", "_rdr="]
        ),
        min_size=1,
    ),
)
def test_tracking_parameters_do_not_change_the_canonical_form(
    raw: str, trackers: list[str]
) -> None:
    assume(raw == raw.strip())  # surrounding blanks are trimmed, inner ones are data
    base, _, fragment = raw.partition("#")
    joiner = "&" if "?" in base else "?"
    tracked = base + joiner + "&".join(trackers) + ("#" + fragment if fragment else "")
    assert canonical_url(tracked) == canonical_url(raw)


def test_query_order_does_not_matter() -> None:
    assert canonical_url("https://contoh.go.id/a?b=2&a=1") == canonical_url(
        "https://contoh.go.id/a?a=1&b=2"
    )


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        (POST, "content"),
        ("https://x.com/rehulinasbr", "account"),
        ("https://facebook.com/permalink.php?id=1&story_fbid=2", "content"),
        ("https://facebook.com/groups/123/posts/456", "content"),
        ("https://facebook.com/budi.santoso.9", "account"),
        ("https://instagram.com/p/DBa7kQzPx3m", "content"),
        ("https://instagram.com/dewi.bkl", "account"),
        ("https://tiktok.com/@a/video/1", "content"),
        ("https://vt.tiktok.com/ZSjR8kLmN", "content"),
        ("https://youtube.com/watch?v=Qm3xT8pLk2A", "content"),
        ("https://youtube.com/@kanalrelawan", "account"),
        ("https://kaltimpost.id/berita/a", "content"),
        ("https://kpu.go.id", "site"),
    ],
)
def test_url_kind(url: str, kind: str) -> None:
    assert url_kind(url) == kind


# ------------------------------------------------------------------------ text


def test_text_tokens_normalise_chat_spelling_and_drop_filler() -> None:
    tokens = text_tokens(
        "Beredar HOAXXX di grup WA yg katanya paslon 02 sdh curang! Fotonya: "
        "https://x.com/a/status/1"
    )
    assert tokens == [
        "beredar",
        "hoaks",
        "grup",
        "whatsapp",
        "kata",
        "paslon",
        "2",
        "curang",
        "foto",
    ]


def test_identical_texts_are_fully_similar_and_empty_texts_not_at_all() -> None:
    assert similarity(text_signature(HOAX), text_signature(HOAX)) == 1.0
    assert similarity(text_signature(""), text_signature("")) == 0.0
    assert similarity(text_signature(HOAX), text_signature("")) == 0.0


def test_a_lightly_edited_hoax_is_a_duplicate_and_another_hoax_is_not_related() -> None:
    original = text_signature(HOAX)
    assert similarity(original, text_signature(HOAX_EDITED)) >= CONFIG.duplicate_similarity
    assert similarity(original, text_signature(OTHER_HOAX)) < CONFIG.related_similarity


def test_a_hoax_quoted_inside_a_longer_report_is_a_duplicate() -> None:
    report = (
        f"Selamat malam, di grup RT kami tersebar pesan ini: '{HOAX}' Banyak warga lansia "
        "bingung. Mohon Diskominfo meluruskan."
    )
    assert similarity(text_signature(HOAX), text_signature(report)) >= CONFIG.duplicate_similarity


@given(st.text(max_size=300), st.text(max_size=300))
def test_similarity_is_symmetric_and_bounded(a: str, b: str) -> None:
    sa, sb = text_signature(a), text_signature(b)
    assert similarity(sa, sb) == similarity(sb, sa)
    assert 0.0 <= similarity(sa, sb) <= 1.0


def test_signatures_and_keys_do_not_depend_on_the_process() -> None:
    # Keys are stored and queried by other processes: Python's per-process string hash
    # must not leak into them.
    script = (
        "from datetime import datetime, timezone;"
        "from services.triage.domain.dedup import facts_from, blocking_keys;"
        "f = facts_from('c', '64.02', datetime(2024, 11, 8, tzinfo=timezone.utc), 'judul',"
        f" {HOAX!r}, ['https://youtu.be/abc'], [('Budi', '19860926 201505 1 001', 'Dinkes')]);"
        "print(sorted(blocking_keys(f)), sorted(f.signature.shingles))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO_ROOT)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
    assert "n:198609262015051001" in outputs.pop()


# ------------------------------------------------------------------------ facts


def test_facts_normalise_people_links_and_text() -> None:
    f = facts(
        "KKR-1",
        title="Sekcam bagikan video",
        text="Buktinya ada di https://m.facebook.com/permalink.php?story_fbid=9&id=1&fbclid=x.",
        urls=["https://youtu.be/Qm3xT8pLk2A?si=1", "bukan tautan"],
        accused=[
            ("H. Syahrani, S.Sos", "19790303 200501 1 012", "Kantor Camat Loa Kulu Kab. Kukar"),
            ("Pak", "123", None),
        ],
    )
    assert f.canonical_urls == {
        "https://youtube.com/watch?v=Qm3xT8pLk2A",
        "https://facebook.com/permalink.php?id=1&story_fbid=9",
    }
    assert f.accused_nips == {"197903032005011012"}
    assert f.accused_names == {("syahrani", "kantor camat loa kulu")}
    assert f.province == "64"


def test_facts_refuse_naive_times_and_unknown_regions() -> None:
    with pytest.raises(ValueError, match="aware"):
        facts("c", at=datetime(2024, 11, 8, 10, 0))
    with pytest.raises(ValueError, match="region code"):
        facts("c", tenant="6402")


# ------------------------------------------------------------------------ matching


def only_match(candidate: DedupFacts, existing: DedupFacts, config: DedupConfig = CONFIG) -> Match:
    matches = find_matches(candidate, [existing], config)
    assert len(matches) == 1
    return matches[0]


def test_same_post_in_the_same_regency_is_a_duplicate() -> None:
    a = facts("A", urls=["https://twitter.com/x/status/1841523967204417536?s=20"])
    b = facts("B", at=T0 + timedelta(hours=5), urls=[POST + "?s=46"])
    match = only_match(b, a)
    assert (match.case_id, match.kind, match.score) == ("A", "duplicate", 1.0)
    assert match.reasons == ("tautan bukti sama",)


def test_same_post_in_another_regency_or_long_ago_is_only_related() -> None:
    a = facts("A", urls=[POST])
    elsewhere = facts("B", tenant="64.08", urls=[POST])
    later = facts("C", at=T0 + timedelta(days=45), urls=[POST])
    match = only_match(elsewhere, a)
    assert match.kind == "related"
    assert "wilayah lain 64.02" in match.reasons[0]
    match = only_match(later, a)
    assert match.kind == "related"
    assert "di luar jendela waktu" in match.reasons[0]


def test_shared_account_links_relate_but_a_shared_home_page_says_nothing() -> None:
    a = facts("A", urls=["https://www.facebook.com/wahyu.pratama", "https://kpu.go.id/"])
    b = facts("B", urls=["https://m.facebook.com/wahyu.pratama/", "https://www.kpu.go.id"])
    assert only_match(b, a).reasons == ("akun yang ditautkan sama",)
    assert find_matches(facts("C", urls=["https://kpu.go.id"]), [a], CONFIG) == []


def test_same_nip_relates_cases_in_any_regency_within_the_window() -> None:
    a = facts("A", accused=[("Fahmi Ramadhan", "19900215 201503 1 004", "BPBD")])
    b = facts(
        "B",
        tenant="64.08",
        at=T0 + timedelta(days=20),
        accused=[("Fahmi", "199002152015031004", None)],
    )
    match = only_match(b, a)
    assert match.kind == "related"
    assert match.reasons == ("terlapor sama (NIP) (wilayah lain 64.02)",)
    too_late = replace(b, received_at=T0 + timedelta(days=31))
    assert find_matches(too_late, [a], CONFIG) == []


def test_same_name_and_agency_relates_cases_of_one_regency_only() -> None:
    a = facts("A", accused=[("Drs. Hendra Saputra, M.Si", None, "Dinas Pendidikan Kab. Kukar")])
    b = facts("B", accused=[("Pak Hendra Saputra", None, "Disdik")])
    assert only_match(b, a).reasons == ("terlapor sama (nama dan instansi)",)
    assert find_matches(replace(b, tenant="64.08"), [a], CONFIG) == []


def test_a_name_without_agency_or_a_single_word_inside_a_name_is_not_enough() -> None:
    a = facts("A", accused=[("Hendra Saputra", None, None)])
    b = facts("B", accused=[("Hendra Saputra", None, None)])
    assert find_matches(b, [a], CONFIG) == []
    c = facts("C", accused=[("Hendra", None, "Dinas Pendidikan")])
    d = facts("D", accused=[("Hendra Saputra", None, "Dinas Pendidikan")])
    assert find_matches(d, [c], CONFIG) == []


def test_similar_text_is_a_duplicate_in_one_regency_and_related_across_regencies() -> None:
    a = facts("A", text=HOAX, category="HOAKS")
    b = facts("B", text=HOAX_EDITED, category="HOAKS", at=T0 + timedelta(hours=3))
    match = only_match(b, a)
    assert match.kind == "duplicate"
    assert match.reasons[0].startswith("teks mirip 0.")
    assert only_match(replace(b, tenant="64.08"), a).kind == "related"
    assert find_matches(replace(b, received_at=T0 + timedelta(days=40)), [a], CONFIG) == []


def test_text_says_nothing_when_the_reports_name_different_people() -> None:
    template = "Dengan hormat, saya melaporkan ada ASN ikut kampanye paslon nomor 2 di Desa {}."
    a = facts("A", text=template.format("Membalong"), accused=[("Zainal Abidin", None, "Camat")])
    b = facts("B", text=template.format("Sijuk"), accused=[("Marlina", None, "Puskesmas")])
    assert similarity(a.signature, b.signature) >= CONFIG.related_similarity
    assert find_matches(b, [a], CONFIG) == []
    unnamed = replace(b, accused_names=frozenset())
    assert find_matches(unnamed, [a], CONFIG) != []


def test_texts_that_matching_never_compares_can_be_left_out() -> None:
    # Storage reads shingles only where needs_text says so: the matches must not change.
    template = "Dengan hormat, saya melaporkan ada ASN ikut kampanye paslon nomor 2 di Desa {}."
    new = facts("N", text=template.format("Sijuk"), accused=[("Marlina", None, "Puskesmas")])
    earlier = [
        facts("A", text=template.format("Membalong"), accused=[("Zainal Abidin", None, "Camat")]),
        facts("B", text=template.format("Sijuk")),
        facts("C", text=template.format("Sijuk"), accused=[("Marlina", None, "Puskesmas")]),
        facts("D", text=template.format("Sijuk"), at=T0 - timedelta(days=40)),
        facts("E", text=HOAX, urls=["https://youtu.be/abc"]),
    ]
    wanted = {f.case_id for f in earlier if needs_text(new, f, CONFIG)}
    assert wanted == {"B", "C", "E"}  # A names someone else, D is outside the window
    stripped = [
        f
        if f.case_id in wanted
        else replace(f, signature=replace(f.signature, shingles=frozenset()))
        for f in earlier
    ]
    assert find_matches(new, stripped, CONFIG) == find_matches(new, earlier, CONFIG)
    assert {m.case_id for m in find_matches(new, earlier, CONFIG)} == {"B", "C"}


_NAME_WORDS = st.sampled_from(
    ["aji", "rahmat", "hidayat", "sri", "wahyuni", "siti", "br", "ginting"]
)
_NAMES = st.lists(
    st.lists(_NAME_WORDS, min_size=1, max_size=4).map(" ".join), min_size=1, max_size=3
)


@given(_NAMES, _NAMES)
def test_reports_whose_texts_are_compared_share_a_person_key(
    ours: list[str], theirs: list[str]
) -> None:
    # The text search of a named report reads earlier named reports through their person
    # keys only: every earlier report whose text matching would compare must be among them.
    new = facts("N", accused=[(name, None, "Camat") for name in ours])
    old = facts("O", accused=[(name, None, "Puskesmas") for name in theirs])
    met = bool(person_query_keys(new) & person_keys(old))
    if needs_text(new, old, CONFIG):
        assert met
    # And other people are left out unless a name's words happen to recur.
    words = {w for name in ours for w in name.split()}
    if not words & {w for name in theirs for w in name.split()}:
        assert not met


def test_a_template_burst_about_other_people_shares_no_person_key() -> None:
    new = facts("N", accused=[("Muhammad Rizki Hasibuan", None, None)])
    others = [
        facts(f"O{i}", accused=[(name, None, None)])
        for i, name in enumerate(["Muhammad Iqbal", "Rizki Siregar", "Siti Aminah Lubis"])
    ]
    assert all(not person_query_keys(new) & person_keys(o) for o in others)
    same = facts("S", accused=[("Muh. Rizki", None, None)])
    assert person_query_keys(new) & person_keys(same)
    assert needs_text(new, same, CONFIG)


def test_moderately_similar_texts_of_different_categories_are_not_related() -> None:
    a = facts("A", text=HOAX, category="HOAKS")
    medium = " ".join(HOAX.split()[:14]) + " " + OTHER_HOAX
    sim = similarity(a.signature, text_signature(medium))
    assert CONFIG.related_similarity <= sim < CONFIG.duplicate_similarity
    assert only_match(facts("B", text=medium, category="HOAKS"), a).kind == "related"
    assert find_matches(facts("C", text=medium, category="ATRIBUT"), [a], CONFIG) == []


def test_matches_come_best_first_with_combined_evidence_ranked_higher() -> None:
    nip = "19850912 201101 2 003"
    candidate = facts("C", text=HOAX, urls=[POST], accused=[("Ratna", nip, "Puskesmas")])
    existing = [
        facts("R1", accused=[("Ratna", nip, "Puskesmas")]),
        facts("R2", accused=[("Ratna", nip, "Puskesmas")], text=HOAX_EDITED, tenant="64.08"),
        facts("D1", text=HOAX_EDITED),
        facts("D2", urls=[POST]),
        facts("C", urls=[POST]),  # the candidate itself, as storage may return it
        facts("U1", text=OTHER_HOAX),
    ]
    matches = find_matches(candidate, existing, CONFIG)
    assert [m.case_id for m in matches] == ["D2", "D1", "R2", "R1"]
    assert [m.kind for m in matches] == ["duplicate", "duplicate", "related", "related"]
    assert matches[2].score > matches[3].score
    assert all(0 < m.score <= 1 for m in matches)
    assert len(find_matches(candidate, existing, replace(CONFIG, max_matches=2))) == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"window": timedelta(0)}, "window"),
        ({"related_similarity": 0.9, "duplicate_similarity": 0.5}, "related_similarity"),
        ({"related_similarity": 0.0}, "related_similarity"),
        ({"cluster_similarity": 1.5}, "cluster_similarity"),
        ({"min_cluster_tenants": 1}, "min_cluster_tenants"),
        ({"max_matches": 0}, "max_matches"),
    ],
)
def test_config_refuses_inconsistent_thresholds(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DedupConfig(**changes)  # type: ignore[arg-type]


# ------------------------------------------------------------------------ blocking keys


def test_blocking_keys_cover_links_people_and_text() -> None:
    f = facts(
        "A",
        text=HOAX,
        urls=[POST, "https://kpu.go.id"],
        accused=[("Aji Rahmat Hidayat", "19900215 201503 1 004", "Kecamatan Tenggarong")],
    )
    keys = blocking_keys(f)
    assert f"u:{POST}" in keys
    assert "u:https://kpu.go.id" not in keys
    assert "n:199002152015031004" in keys
    assert "a:64.02:kecamatan tenggarong:aji rahmat" in keys
    assert any(k.startswith("t:") for k in keys)
    # The candidate search treats link keys and text keys apart (only text keys are bounded
    # by the window): the link keys are exactly the keys that are not the text's.
    links = link_keys(f)
    assert links == {k for k in keys if not k.startswith("t:")}
    assert keys == links | text_keys(f.signature)


def test_every_labelled_pair_the_matcher_links_shares_a_blocking_key() -> None:
    for pair in load_pairs():
        if find_matches(pair.later, [pair.earlier], CONFIG):
            shared = blocking_keys(pair.later) & blocking_keys(pair.earlier)
            assert shared, pair.pair_id


# ------------------------------------------------------------------------ labelled pairs


def test_pair_file_is_well_formed_and_covers_the_required_situations() -> None:
    rows = load_rows(PAIRS_PATH)
    assert len(rows) >= 80
    cases = [c for row in rows for c in (row["a"], row["b"])]
    assert len({c["case_id"] for c in cases}) == len(cases)
    for c in cases:
        parse_region_code(c["tenant"])
        assert datetime.fromisoformat(c["received_at"]).utcoffset() is not None
    labels = {row["label"] for row in rows}
    assert labels == {"duplicate", "related", "unrelated"}
    links = [" ".join(row["a"]["evidence_urls"] + row["b"]["evidence_urls"]) for row in rows]
    assert any("twitter.com" in text and "x.com" in text for text in links)
    assert any({row["a"]["tenant"], row["b"]["tenant"]} == {"64.02", "64.08"} for row in rows)


def test_quality_on_the_labelled_pairs_does_not_regress() -> None:
    outcomes = evaluate(load_pairs(), CONFIG)
    for positive in (frozenset({"duplicate"}), frozenset({"duplicate", "related"})):
        precision, recall = precision_recall(outcomes, positive)
        assert precision is not None, positive
        assert precision >= 0.9, positive
        assert recall is not None, positive
        assert recall >= 0.85, positive


# ------------------------------------------------------------------------ clusters

KALTIM = ["64.01", "64.02", "64.03", "64.04", "64.05", "64.07", "64.08"]


def test_the_same_hoax_in_seven_regencies_is_one_province_cluster() -> None:
    reports = [
        facts(
            f"K{i}",
            tenant=tenant,
            at=T0 + timedelta(hours=i),
            urls=["https://www.facebook.com/infokaltim/posts/pfbid0x9?mibextid=xfx"],
        )
        for i, tenant in enumerate(KALTIM)
    ]
    reports.append(facts("K9", tenant="64.02", at=T0 + timedelta(hours=9), text=HOAX))
    reports.append(facts("K10", tenant="64.71", at=T0 + timedelta(hours=10), text=HOAX_EDITED))
    # The same post in another province, and an unrelated hoax, stay out.
    reports.append(
        facts("S1", tenant="12.06", urls=["https://facebook.com/infokaltim/posts/pfbid0x9"])
    )
    reports.append(facts("U1", tenant="64.03", text=OTHER_HOAX))

    clusters = province_clusters(reports, CONFIG)
    assert len(clusters) == 2
    post, text = clusters
    assert post.key == "64:K0"
    assert post.province == "64"
    assert post.case_ids == tuple(f"K{i}" for i in range(7))
    assert post.tenants == tuple(KALTIM)
    assert text.case_ids == ("K9", "K10")
    assert text.tenants == ("64.02", "64.71")


def test_a_cluster_keeps_its_key_as_later_reports_join() -> None:
    link = ["https://x.com/kaltimbersuara/status/1856677889900112233"]
    first = [facts("A", tenant="64.02", urls=link), facts("B", tenant="64.08", urls=link)]
    later = facts("C", tenant="64.03", at=T0 + timedelta(days=2), urls=link)
    before = province_clusters(first, CONFIG)
    after = province_clusters([later, *first], CONFIG)
    assert [c.key for c in before] == [c.key for c in after] == ["64:A"]
    assert after[0].case_ids == ("A", "B", "C")


def test_one_regency_or_reports_far_apart_make_no_cluster() -> None:
    link = ["https://youtu.be/Zk4rT7yUw2E"]
    same_regency = [facts("A", urls=link), facts("B", urls=link, at=T0 + timedelta(hours=1))]
    assert province_clusters(same_regency, CONFIG) == []
    far_apart = [
        facts("A", urls=link),
        facts("B", tenant="64.08", urls=link, at=T0 + timedelta(days=31)),
    ]
    assert province_clusters(far_apart, CONFIG) == []
    wider = replace(CONFIG, min_cluster_tenants=3)
    two = [facts("A", urls=link), facts("B", tenant="64.08", urls=link)]
    assert province_clusters(two, wider) == []


def test_one_post_about_two_different_people_is_two_related_cases() -> None:
    # A group photo: one report names one civil servant, the next another.
    a = facts("A", urls=[POST], accused=[("Zainal Abidin", None, "Kantor Camat")])
    b = facts("B", urls=[POST], accused=[("Marlina", None, "Puskesmas")])
    match = only_match(b, a)
    assert match.kind == "related"
    assert match.reasons == ("tautan bukti sama, terlapor berbeda",)
    # Without names, or with the same person named differently, it stays a duplicate.
    assert only_match(replace(b, accused_names=frozenset()), a).kind == "duplicate"
    same = facts("C", urls=[POST], accused=[("Pak Zainal Abidin, S.Sos", None, "Kantor Camat")])
    assert only_match(same, a).kind == "duplicate"
