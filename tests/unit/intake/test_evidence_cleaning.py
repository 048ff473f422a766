"""What is left of an evidence file's metadata after intake cleaned it: nothing that names a
person, a device or a place, while the picture or the sound stays the same."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageCms, ImageDraw
from PIL.PngImagePlugin import PngInfo

from services.intake.evidence import file_types as types
from services.intake.evidence.cleaning import (
    MAX_PIXELS,
    DamagedFile,
    TooManyPixels,
    blank_iso_metadata,
    check_pdf,
    clean,
    strip_mp3_tags,
    strip_wav_chunks,
)

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def photo_with_gps(orientation: int = 1) -> bytes:
    """A phone photo: landscape pixels, make and model, GPS near Kabanjahe, a comment."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    ImageDraw.Draw(image).rectangle((0, 0, 9, 9), fill=(0, 0, 255))  # marks the top-left
    exif = Image.Exif()
    exif[0x010F] = "Samsung"
    exif[0x0110] = "SM-A125F"
    exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (3.0, 6.0, 11.5), 3: "E", 4: (98.0, 30.0, 2.25)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"dikirim oleh Siti Rahayu", quality=95)
    return out.getvalue()


def test_photo_loses_exif_gps_and_comment() -> None:
    original = photo_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the test's premise

    cleaned = clean(original, types.JPEG)

    assert cleaned.metadata_removed is True
    stored = Image.open(io.BytesIO(cleaned.data))
    assert stored.format == "JPEG"
    assert dict(stored.getexif()) == {}
    assert not {"exif", "comment", "icc_profile", "xmp"} & set(stored.info)
    for secret in (b"Exif", b"Samsung", b"SM-A125F", b"Siti"):
        assert secret not in cleaned.data


def test_orientation_is_applied_to_the_pixels_before_exif_goes() -> None:
    # Orientation 6: the camera was held upright, the viewer must turn the picture 90° right.
    cleaned = clean(photo_with_gps(orientation=6), types.JPEG)
    stored = Image.open(io.BytesIO(cleaned.data)).convert("RGB")
    assert stored.size == (48, 64)
    blue_corner = stored.getpixel((44, 4))  # top-right once turned
    assert isinstance(blue_corner, tuple)
    assert blue_corner[2] > 200
    assert blue_corner[0] < 60


def test_png_text_chunks_and_exif_are_dropped_pixels_kept() -> None:
    image = Image.new("RGBA", (20, 10), (0, 128, 0, 255))
    image.putpixel((3, 3), (255, 0, 0, 128))
    info = PngInfo()
    info.add_text("Author", "Siti Rahayu")
    info.add_itxt("Comment", "Lokasi: Kabanjahe", lang="id")
    info.add_text("Software", "Screenshot 1.0", zip=True)
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=Image.Exif())
    cleaned = clean(out.getvalue(), types.PNG)
    stored = Image.open(io.BytesIO(cleaned.data))
    assert stored.text == {}  # type: ignore[attr-defined]
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"Siti"):
        assert chunk not in cleaned.data
    assert stored.getpixel((3, 3)) == (255, 0, 0, 128)
    assert stored.tobytes() == image.tobytes()


def test_palette_png_keeps_its_palette_and_transparency() -> None:
    image = Image.new("P", (8, 8), 1)
    image.putpalette([0, 0, 0, 255, 255, 0, 0, 0, 255])
    image.putpixel((0, 0), 2)
    out = io.BytesIO()
    image.save(out, "PNG", transparency=0)
    stored = Image.open(io.BytesIO(clean(out.getvalue(), types.PNG).data))
    assert stored.mode == "P"
    assert stored.info.get("transparency") == 0
    assert stored.convert("RGB").getpixel((0, 0)) == (0, 0, 255)
    assert stored.convert("RGB").getpixel((1, 1)) == (255, 255, 0)


def test_colour_profile_goes_and_colours_stay() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    image = Image.new("RGB", (4, 4), (120, 60, 30))
    out = io.BytesIO()
    image.save(out, "PNG", icc_profile=srgb.tobytes())
    assert "icc_profile" in Image.open(io.BytesIO(out.getvalue())).info
    stored = Image.open(io.BytesIO(clean(out.getvalue(), types.PNG).data))
    assert "icc_profile" not in stored.info
    assert b"iCCP" not in clean(out.getvalue(), types.PNG).data
    assert stored.getpixel((0, 0)) == (120, 60, 30)


def test_broken_colour_profile_does_not_lose_the_picture() -> None:
    image = Image.new("RGB", (4, 4), (120, 60, 30))
    out = io.BytesIO()
    image.save(out, "PNG", icc_profile=b"not a profile at all")
    stored = Image.open(io.BytesIO(clean(out.getvalue(), types.PNG).data))
    assert "icc_profile" not in stored.info
    assert stored.getpixel((0, 0)) == (120, 60, 30)


def test_animated_gif_keeps_frames_and_loses_comment() -> None:
    frames = [Image.new("RGB", (10, 10), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(
        out,
        "GIF",
        save_all=True,
        append_images=frames[1:],
        duration=[200, 300],
        loop=0,
        comment=b"direkam di Kabanjahe",
    )
    cleaned = clean(out.getvalue(), types.GIF)
    stored = Image.open(io.BytesIO(cleaned.data))
    assert getattr(stored, "n_frames", 1) == 2
    assert b"Kabanjahe" not in cleaned.data
    assert "comment" not in stored.info
    stored.seek(1)
    assert stored.convert("RGB").getpixel((5, 5)) == (0, 0, 255)


def test_webp_is_rewritten_without_exif() -> None:
    exif = Image.Exif()
    exif[0x010F] = "Xiaomi"
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (1, 2, 3)).save(out, "WEBP", exif=exif)
    cleaned = clean(out.getvalue(), types.WEBP)
    assert b"Xiaomi" not in cleaned.data
    assert Image.open(io.BytesIO(cleaned.data)).format == "WEBP"


def test_truncated_photo_is_damaged() -> None:
    photo = photo_with_gps()
    with pytest.raises(DamagedFile, match="cannot be decoded"):
        clean(photo[: len(photo) // 2], types.JPEG)


def test_signature_alone_is_not_an_image() -> None:
    with pytest.raises(DamagedFile):
        clean(b"\x89PNG\r\n\x1a\n" + bytes(100), types.PNG)


def test_decompression_bomb_is_refused_before_decoding() -> None:
    side = int(MAX_PIXELS**0.5) + 10
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG")  # a few kilobytes on disk
    assert len(out.getvalue()) < 1_000_000
    with pytest.raises(TooManyPixels, match="megapixels"):
        clean(out.getvalue(), types.PNG)


# ---------------------------------------------------------------------------------- MP4


def box(kind: bytes, payload: bytes) -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + kind + payload


def phone_video(*, with_moov: bool = True) -> bytes:
    """ftyp, moov (mvhd, a track with its own udta, a udta with ©xyz, Apple's meta), mdat."""
    location = box(b"\xa9xyz", b"\x00\x12\x15\xc7+03.1915+098.5081/")
    apple_keys = box(b"meta", box(b"keys", b"com.apple.quicktime.location.ISO6709"))
    track = box(b"trak", box(b"tkhd", bytes(84)) + box(b"udta", box(b"name", b"Kamera Siti")))
    moov = box(b"moov", box(b"mvhd", bytes(100)) + track + box(b"udta", location) + apple_keys)
    head = box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2avc1mp41")
    media = box(b"mdat", bytes(range(256)) * 4)
    return head + (moov if with_moov else b"") + media


def test_video_location_and_names_are_blanked_in_place() -> None:
    original = phone_video()
    cleaned = clean(original, types.MP4)
    assert cleaned.metadata_removed is True
    assert len(cleaned.data) == len(original)  # sample offsets stay valid
    for secret in (b"+03.1915", b"ISO6709", b"Kamera Siti", b"udta", b"\xa9xyz"):
        assert secret in original
        assert secret not in cleaned.data
    # The media itself is untouched, byte for byte.
    media = bytes(range(256)) * 4
    assert cleaned.data.endswith(media)
    assert cleaned.data.count(b"free") == 3


def test_large_size_boxes_are_walked() -> None:
    payload = box(b"udta", b"Lokasi rahasia")
    moov = (16 + len(payload)).to_bytes(8, "big")
    large = (1).to_bytes(4, "big") + b"moov" + moov + payload
    cleaned = blank_iso_metadata(box(b"ftyp", b"isom\x00\x00\x00\x00") + large)
    assert b"rahasia" not in cleaned


def test_video_without_movie_header_is_incomplete() -> None:
    with pytest.raises(DamagedFile, match="moov"):
        clean(phone_video(with_moov=False), types.MP4)


def test_box_running_past_the_end_is_damaged() -> None:
    video = phone_video()
    with pytest.raises(DamagedFile, match="do not fit"):
        blank_iso_metadata(video[:-10])


# ---------------------------------------------------------------------------- MP3, WAV


MP3_FRAME = bytes([0xFF, 0xFB, 0x90, 0x64]) + bytes(413)  # 417 bytes, see the types test


def id3v2(text: bytes) -> bytes:
    frame = b"TXXX" + len(text).to_bytes(4, "big") + b"\x00\x00" + text
    size = len(frame)
    syncsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    return b"ID3\x04\x00\x00" + syncsafe + frame


def test_mp3_tags_front_and_back_are_removed() -> None:
    id3v1 = b"TAG" + b"Rekaman Siti".ljust(125, b"\x00")
    original = id3v2(b"\x00Lokasi\x00Kabanjahe") + MP3_FRAME * 3 + id3v1
    cleaned = clean(original, types.MP3)
    assert cleaned.data == MP3_FRAME * 3
    assert cleaned.metadata_removed is True


def test_mp3_ape_tag_is_removed() -> None:
    items = b"Lokasi=Berastagi"
    footer = b"APETAGEX" + (2000).to_bytes(4, "little")
    footer += (len(items) + 32).to_bytes(4, "little") + (1).to_bytes(4, "little")
    footer += (0).to_bytes(4, "little") + bytes(8)
    assert strip_mp3_tags(MP3_FRAME * 2 + items + footer) == MP3_FRAME * 2


def test_tag_followed_by_no_audio_is_damaged() -> None:
    with pytest.raises(DamagedFile, match="no MPEG audio"):
        strip_mp3_tags(id3v2(b"x") + b"not audio at all")


def test_lone_sync_word_is_not_mp3() -> None:
    with pytest.raises(DamagedFile, match="do not follow"):
        strip_mp3_tags(MP3_FRAME[:4] + bytes(600))


def wav(*chunks: bytes) -> bytes:
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + len(body).to_bytes(4, "little") + body


def chunk(kind: bytes, payload: bytes) -> bytes:
    pad = b"\x00" if len(payload) % 2 else b""
    return kind + len(payload).to_bytes(4, "little") + payload + pad


def test_wav_keeps_format_and_samples_only() -> None:
    fmt = chunk(b"fmt ", bytes.fromhex("01000100401f0000803e000002001000"))
    samples = chunk(b"data", bytes(range(200)))
    info = chunk(b"LIST", b"INFOIART" + (13).to_bytes(4, "little") + b"Siti Rahayu\x00\x00")
    odd = chunk(b"iXML", b"<loc>Kabanjahe</loc>")  # odd-sized chunks are padded
    cleaned = clean(wav(fmt, info, odd, samples), types.WAV)
    assert cleaned.data == wav(fmt, samples)


def test_wav_without_samples_is_damaged() -> None:
    fmt = chunk(b"fmt ", bytes(16))
    with pytest.raises(DamagedFile, match="no format or no sound"):
        strip_wav_chunks(wav(fmt))


# ---------------------------------------------------------------------------- PDF, Ogg

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_pdf_is_kept_as_it_is() -> None:
    cleaned = clean(PDF, types.PDF)
    assert cleaned.data == PDF
    assert cleaned.metadata_removed is False


def test_pdf_cut_short_is_damaged() -> None:
    with pytest.raises(DamagedFile, match="end-of-file"):
        check_pdf(PDF[:-7])


def test_ogg_is_kept_as_it_is() -> None:
    page = b"OggS\x00\x02" + bytes(20) + b"\x01\x13" + b"OpusHead\x01\x01" + bytes(9)
    cleaned = clean(page, types.OGG)
    assert cleaned.data == page
    assert cleaned.metadata_removed is False
