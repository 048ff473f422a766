"""Recognising evidence types from their first bytes, whatever the file is called."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from services.intake.evidence import file_types as types
from services.intake.evidence.file_types import UnsupportedType, mp3_frame_length, sniff

# MPEG-1 layer III, 128 kbit/s, 44.1 kHz, no padding: 144 * 128000 / 44100 = 417 bytes.
MP3_HEADER = bytes([0xFF, 0xFB, 0x90, 0x64])


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x02\x00" + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body


def image_bytes(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 20, 30)).save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (image_bytes("JPEG"), types.JPEG),
        (image_bytes("PNG"), types.PNG),
        (image_bytes("WEBP"), types.WEBP),
        (image_bytes("GIF"), types.GIF),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", types.PDF),
        (ftyp(b"isom", b"isom", b"avc1"), types.MP4),
        (ftyp(b"mp42", b"mp41"), types.MP4),
        (ftyp(b"qt  ", b"qt  "), types.MOV),
        (ftyp(b"3gp4", b"3gp4"), types.THREEGP),
        (ftyp(b"M4A ", b"M4A ", b"mp42"), types.M4A),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", types.MP3),
        (MP3_HEADER + bytes(40), types.MP3),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", types.WAV),
    ],
)
def test_accepted_types_are_recognised_from_their_bytes(
    head: bytes, expected: types.EvidenceType
) -> None:
    assert sniff(head[: types.HEAD_BYTES]) is expected


def test_ogg_voice_note_is_audio() -> None:
    page = b"OggS\x00\x02" + bytes(20) + b"\x01\x13" + b"OpusHead\x01\x01" + bytes(9)
    assert sniff(page) is types.OGG


def test_ogg_without_audio_codec_is_refused() -> None:
    page = b"OggS\x00\x02" + bytes(20) + b"\x01\x2a" + b"\x80theora" + bytes(34)
    with pytest.raises(UnsupportedType, match="no audio track"):
        sniff(page)


@pytest.mark.parametrize(
    "head",
    [
        bytes(range(64)),
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows program
        b"PK\x03\x04\x14\x00\x06\x00",  # a zip or an Office document
        b"<html><script>alert(1)</script>",
        b"\xff\xfe<\x00h\x00t\x00m\x00l\x00",  # UTF-16 text starts with a near-sync word
        b"",
    ],
)
def test_anything_else_is_refused_naming_what_is_accepted(head: bytes) -> None:
    with pytest.raises(UnsupportedType) as refused:
        sniff(head)
    assert "JPEG image" in str(refused.value)
    assert "PDF document" in str(refused.value)


def test_heic_photo_is_refused_with_a_way_out() -> None:
    with pytest.raises(UnsupportedType, match="JPEG") as refused:
        sniff(ftyp(b"heic", b"mif1", b"heic"))
    assert "location" in str(refused.value)


def test_heif_brand_among_compatible_brands_is_refused_too() -> None:
    with pytest.raises(UnsupportedType, match="HEIC"):
        sniff(ftyp(b"XXXX", b"mif1"))


def test_unknown_iso_brand_is_named() -> None:
    with pytest.raises(UnsupportedType, match="'crx '"):
        sniff(ftyp(b"crx ", b"crx "))


def test_mp3_frame_length_follows_the_header() -> None:
    assert mp3_frame_length(MP3_HEADER) == 417
    padded = bytes([0xFF, 0xFB, 0x92, 0x64])
    assert mp3_frame_length(padded) == 418
    # MPEG-2 layer III, 64 kbit/s, 22.05 kHz: 72 * 64000 / 22050 = 208.
    assert mp3_frame_length(bytes([0xFF, 0xF3, 0x80, 0xC4])) == 208


@pytest.mark.parametrize(
    "header",
    [
        bytes([0xFF, 0xFD, 0x90, 0x64]),  # layer II
        bytes([0xFF, 0xEB, 0x90, 0x64]),  # reserved version
        bytes([0xFF, 0xFB, 0xF0, 0x64]),  # bad bitrate index
        bytes([0xFF, 0xFB, 0x9C, 0x64]),  # reserved sample rate
        bytes([0xFE, 0xFB, 0x90, 0x64]),  # no sync word
        bytes([0xFF, 0xFB]),
    ],
)
def test_non_layer3_headers_are_not_frames(header: bytes) -> None:
    assert mp3_frame_length(header) is None
