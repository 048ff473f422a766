"""The violation categories every service speaks of (codes from the 2022 joint decree)."""

from __future__ import annotations

from typing import Literal, get_args

# Written out for the type checker and for the filters that refuse an unknown code; a unit
# test holds it equal to CATEGORIES.
Category = Literal[
    "MEDSOS",
    "FOTO_POSE",
    "KAMPANYE",
    "ATRIBUT",
    "FASILITAS",
    "KEPUTUSAN",
    "MOBILISASI",
    "PARPOL",
    "DUKUNGAN_KTP",
    "HOAKS",
    "SARA",
    "LAINNYA",
]

# code -> (Bahasa Indonesia label, English label)
CATEGORIES: dict[str, tuple[str, str]] = {
    "MEDSOS": ("Aktivitas media sosial mendukung calon", "Social-media support for a candidate"),
    "FOTO_POSE": ("Foto/pose mendukung calon", "Photo or gesture supporting a candidate"),
    "KAMPANYE": ("Ikut kampanye atau tim pemenangan", "Joining a campaign or winning team"),
    "ATRIBUT": ("Memasang/memakai atribut kampanye", "Campaign props"),
    "FASILITAS": ("Penggunaan fasilitas negara", "Use of state facilities"),
    "KEPUTUSAN": (
        "Keputusan yang menguntungkan/merugikan calon",
        "Decisions favouring a candidate",
    ),
    "MOBILISASI": ("Kegiatan keberpihakan/mobilisasi", "Partisan activity or mobilisation"),
    "PARPOL": ("Anggota/pengurus partai politik", "Party membership"),
    "DUKUNGAN_KTP": ("Memberi dukungan/mengumpulkan KTP", "Support letters or ID-card collection"),
    "HOAKS": ("Hoaks/disinformasi pemilihan", "Election hoax or disinformation"),
    "SARA": ("Ujaran kebencian SARA", "Hate speech (ethnicity, religion, race, group)"),
    "LAINNYA": ("Lainnya", "Other"),
}

CATEGORY_CODES: tuple[Category, ...] = get_args(Category)

PRIORITY_LABELS: dict[str, tuple[str, str]] = {
    "urgent": ("Sangat mendesak", "Urgent"),
    "high": ("Tinggi", "High"),
    "normal": ("Normal", "Normal"),
    "low": ("Rendah", "Low"),
}


def category_label(code: str, language: str = "id") -> str:
    """The label of a category code in ``language`` ('id' or 'en'); unknown codes as given."""
    labels = CATEGORIES.get(code)
    if labels is None:
        return code
    return labels[1] if language == "en" else labels[0]


def priority_label(priority: str, language: str = "id") -> str:
    """The label of a priority in ``language``."""
    labels = PRIORITY_LABELS.get(priority)
    if labels is None:
        return priority
    return labels[1] if language == "en" else labels[0]
