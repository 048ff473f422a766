"""Which evidence files intake accepts, recognised from their bytes, never from the client.

A browser or an office system labels a file with whatever type its name suggests, so the
``Content-Type`` of an upload is recorded but not believed. Each accepted type has a
signature here; anything that matches none of them is refused. python-magic is not used: it
needs libmagic, which many servers of regional offices do not have, and a short allow-list is
easier to audit than a database of every format there is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Kind = Literal["image", "document", "video", "audio"]


@dataclass(frozen=True)
class EvidenceType:
    """An accepted file type: what it is stored and served as."""

    kind: Kind
    content_type: str
    extension: str
    label: str
    # The Pillow format name of an image type; None for everything Pillow does not open.
    pillow_format: str | None = None


JPEG: Final = EvidenceType("image", "image/jpeg", "jpg", "JPEG image", "JPEG")
PNG: Final = EvidenceType("image", "image/png", "png", "PNG image", "PNG")
WEBP: Final = EvidenceType("image", "image/webp", "webp", "WebP image", "WEBP")
GIF: Final = EvidenceType("image", "image/gif", "gif", "GIF image", "GIF")
PDF: Final = EvidenceType("document", "application/pdf", "pdf", "PDF document")
MP4: Final = EvidenceType("video", "video/mp4", "mp4", "MP4 video")
MOV: Final = EvidenceType("video", "video/quicktime", "mov", "QuickTime video")
THREEGP: Final = EvidenceType("video", "video/3gpp", "3gp", "3GP video")
M4A: Final = EvidenceType("audio", "audio/mp4", "m4a", "M4A audio")
MP3: Final = EvidenceType("audio", "audio/mpeg", "mp3", "MP3 audio")
OGG: Final = EvidenceType("audio", "audio/ogg", "ogg", "Ogg audio (voice note)")
WAV: Final = EvidenceType("audio", "audio/wav", "wav", "WAV audio")

ACCEPTED: Final[tuple[EvidenceType, ...]] = (
    JPEG,
    PNG,
    WEBP,
    GIF,
    PDF,
    MP4,
    MOV,
    THREEGP,
    M4A,
    MP3,
    OGG,
    WAV,
)

# How many leading bytes ``sniff`` needs to tell every accepted type apart.
HEAD_BYTES: Final = 64

# ISO base media files (MP4 and relatives) name their flavour in the 'ftyp' box.
_FTYP_BRANDS: Final[dict[bytes, EvidenceType]] = {
    **dict.fromkeys(
        (b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash"), MP4
    ),
    **dict.fromkeys((b"MSNV", b"mp71", b"f4v "), MP4),
    b"qt  ": MOV,
    **dict.fromkeys((b"3gp4", b"3gp5", b"3gp6", b"3gp7", b"3gs7", b"3g2a"), THREEGP),
    **dict.fromkeys((b"M4A ", b"M4B "), M4A),
}
# HEIC/HEIF photos (iPhone's default) are recognised only to be refused with a reason: this
# server has no HEIF decoder, so their location data could not be removed.
_HEIF_BRANDS: Final = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
)
# The first packet of an Ogg stream names its codec; only audio codecs are accepted.
_OGG_AUDIO_CODECS: Final = (b"OpusHead", b"\x01vorbis", b"Speex   ", b"\x7fFLAC")


class UnsupportedType(Exception):
    """The bytes are not one of the accepted types; the message says what to send instead."""


def accepted_summary() -> str:
    """The accepted types in words, for error messages."""
    return ", ".join(t.label for t in ACCEPTED)


def sniff(head: bytes) -> EvidenceType:
    """The accepted type whose signature ``head`` (the file's first bytes) carries.

    Raises :class:`UnsupportedType` for anything else. A matching signature is necessary, not
    sufficient: images are decoded and other files checked further before they are stored.
    """
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"%PDF-"):
        return PDF
    if head[4:8] == b"ftyp":
        return _iso_media(head)
    if head.startswith(b"OggS"):
        # Page header: 27 bytes plus one lacing byte per segment, then the first packet.
        if len(head) > 27:
            first_packet = head[27 + head[26] :]
            if first_packet.startswith(_OGG_AUDIO_CODECS):
                return OGG
        raise UnsupportedType("this Ogg file holds no audio track Pantau accepts")
    if head.startswith(b"ID3") or is_mp3_frame_header(head[:4]):
        return MP3
    raise UnsupportedType(_unknown())


def _iso_media(head: bytes) -> EvidenceType:
    major = head[8:12]
    box_size = int.from_bytes(head[0:4], "big")
    compatible = [head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)]
    for brand in (major, *compatible):
        if brand in _HEIF_BRANDS:
            raise UnsupportedType(
                "HEIC/HEIF photos cannot be accepted: their location data cannot be removed on "
                "this server. Send the photo as JPEG (on an iPhone: Settings > Camera > "
                "Formats > Most Compatible, or share it through an app that converts it)."
            )
        found = _FTYP_BRANDS.get(brand)
        if found is not None:
            return found
    raise UnsupportedType(
        f"this MP4-family file has the unknown brand {major.decode('latin-1')!r}; "
        f"accepted are: {accepted_summary()}"
    )


# MPEG audio layer III, the only layer voice recorders write; kbit/s by (version, index).
_MP3_BITRATES: Final = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_SAMPLE_RATES: Final = {
    1: (44100, 48000, 32000),
    2: (22050, 24000, 16000),
    25: (11025, 12000, 8000),
}


def mp3_frame_length(header: bytes) -> int | None:
    """The length of the MPEG layer III frame starting with ``header``; None if it is none."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version_bits = (header[1] >> 3) & 0b11
    layer_bits = (header[1] >> 1) & 0b11
    bitrate_index = header[2] >> 4
    rate_index = (header[2] >> 2) & 0b11
    padding = (header[2] >> 1) & 1
    if version_bits == 0b01 or layer_bits != 0b01 or rate_index == 0b11:
        return None
    if bitrate_index in (0, 0b1111):  # "free" bitrate is legal but no recorder writes it
        return None
    version = {0b11: 1, 0b10: 2, 0b00: 25}[version_bits]
    bitrate = _MP3_BITRATES[1 if version == 1 else 2][bitrate_index] * 1000
    sample_rate = _MP3_SAMPLE_RATES[version][rate_index]
    samples_factor = 144 if version == 1 else 72
    return samples_factor * bitrate // sample_rate + padding


def is_mp3_frame_header(header: bytes) -> bool:
    return mp3_frame_length(header) is not None


def _unknown() -> str:
    return (
        "the file is not of a type Pantau accepts as evidence (recognised from its content, "
        f"not its name); accepted are: {accepted_summary()}"
    )
