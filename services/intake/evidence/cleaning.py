"""Removing what an evidence file says about the person who made it, before it is stored.

An "anonymous" reporter was once exposed by the GPS position in the EXIF block of the photo
they sent. So images are decoded and only their pixels are written again: EXIF (with GPS),
XMP, IPTC, comments, PNG text chunks and colour profiles do not survive (colours are
converted to sRGB first, so the picture looks the same). Orientation is applied to the pixels
before EXIF goes, or a portrait photo would be stored lying on its side.

Videos and voice recordings are not re-encoded (that needs a codec library this service does
not have), but their containers keep location and device data in a few well-known places,
which are blanked in place: the user-data and metadata boxes of MP4/MOV/M4A (where phones put
the ``©xyz`` position and Apple's location keys), ID3/APE tags of MP3, and every chunk of a
WAV file except format and samples. PDF and Ogg files are checked and kept as they are; their
entries say so (``metadata_removed`` is False).

Everything here works on bytes in memory and has no I/O: callers bound the size first.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from PIL import Image, ImageCms, ImageOps, ImageSequence, JpegImagePlugin, UnidentifiedImageError

from services.intake.evidence import file_types as types
from services.intake.evidence.file_types import EvidenceType

# A 50-megapixel photo is larger than any phone takes by default; the cap stops a small file
# that decodes into gigabytes of pixels (a "decompression bomb").
MAX_PIXELS: Final = 50_000_000
# Animations are kept frame by frame in memory while they are written again.
MAX_ANIMATION_PIXELS: Final = 25_000_000
MAX_FRAMES: Final = 500


class DamagedFile(Exception):
    """The file claims an accepted type but cannot be read as one; the message says why."""


class TooManyPixels(Exception):
    """An image whose decoded size is beyond what intake will decode."""


@dataclass(frozen=True)
class Cleaned:
    """The bytes to store and whether metadata was removed from them."""

    data: bytes
    metadata_removed: bool


def clean(data: bytes, kind: EvidenceType) -> Cleaned:
    """The form of ``data`` (already recognised as ``kind``) that intake stores."""
    if kind.pillow_format is not None:
        return Cleaned(clean_image(data, kind), True)
    if kind in (types.MP4, types.MOV, types.THREEGP, types.M4A):
        return Cleaned(blank_iso_metadata(data), True)
    if kind is types.MP3:
        return Cleaned(strip_mp3_tags(data), True)
    if kind is types.WAV:
        return Cleaned(strip_wav_chunks(data), True)
    if kind is types.PDF:
        check_pdf(data)
        return Cleaned(data, False)
    if kind is types.OGG:
        return Cleaned(data, False)
    raise AssertionError(f"no cleaning rule for {kind.content_type}")  # the table is closed


# ------------------------------------------------------------------------------- images


def clean_image(data: bytes, kind: EvidenceType) -> bytes:
    """Decode the image and write its (upright, sRGB) pixels again with no metadata."""
    assert kind.pillow_format is not None
    formats = [kind.pillow_format]
    try:
        with Image.open(io.BytesIO(data), formats=formats) as probe:
            # The header tells the size: refuse a bomb before decoding a single pixel.
            _check_pixels(probe)
            probe.verify()
        # verify() leaves the image unusable; decoding starts from a fresh parse.
        with Image.open(io.BytesIO(data), formats=formats) as image:
            if getattr(image, "n_frames", 1) > 1:
                return _rewrite_animation(image, kind.pillow_format)
            image.load()
            return _rewrite_still(image, kind.pillow_format)
    except (TooManyPixels, DamagedFile):
        raise
    except Image.DecompressionBombError as exc:
        raise TooManyPixels(str(exc)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise DamagedFile(f"the {kind.label} cannot be decoded ({exc})") from exc


def _check_pixels(image: Image.Image) -> None:
    width, height = image.size
    frames = getattr(image, "n_frames", 1)
    if width * height > MAX_PIXELS:
        raise TooManyPixels(
            f"the image is {width}x{height} pixels; at most {MAX_PIXELS // 1_000_000} "
            "megapixels are accepted"
        )
    if frames > 1 and (frames > MAX_FRAMES or width * height * frames > MAX_ANIMATION_PIXELS):
        raise TooManyPixels(
            f"the animation has {frames} frames of {width}x{height} pixels; at most "
            f"{MAX_FRAMES} frames and {MAX_ANIMATION_PIXELS // 1_000_000} megapixels in all "
            "are accepted"
        )


def _rewrite_still(image: Image.Image, fmt: str) -> bytes:
    upright = ImageOps.exif_transpose(image)
    pixels = _to_srgb(upright, image.info.get("icc_profile"))
    if pixels.mode == "CMYK" or (fmt != "PNG" and pixels.mode not in _MODES[fmt]):
        pixels = pixels.convert("RGBA" if "A" in pixels.mode else "RGB")
    fresh, transparency = _pixels_only(pixels)
    options: dict[str, Any] = dict(_SAVE_OPTIONS[fmt])
    if fmt == "JPEG":
        sampling = JpegImagePlugin.get_sampling(image)
        if sampling != -1:
            options["subsampling"] = sampling  # keep the original's chroma detail
    if transparency is not None:
        options["transparency"] = transparency
    out = io.BytesIO()
    fresh.save(out, format=fmt, **options)
    return out.getvalue()


def _rewrite_animation(image: Image.Image, fmt: str) -> bytes:
    frames: list[Image.Image] = []
    durations: list[int] = []
    for frame in ImageSequence.Iterator(image):
        fresh, _ = _pixels_only(frame.convert("RGBA"))
        frames.append(fresh)
        durations.append(int(frame.info.get("duration", 100)))
    out = io.BytesIO()
    frames[0].save(
        out,
        format=fmt,
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=int(image.info.get("loop", 0)),
        **_SAVE_OPTIONS[fmt],
    )
    return out.getvalue()


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """The image in sRGB, so that dropping its colour profile does not change its colours."""
    if not icc_profile or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        # A broken profile: the pixels are still the evidence; keep them as they are.
        return image
    return converted if converted is not None else image


def _pixels_only(image: Image.Image) -> tuple[Image.Image, Any]:
    """A new image built from the pixels alone: nothing of ``image.info`` comes along.

    Pillow writes some entries of ``info`` (comments, ICC, EXIF) back when an image is saved,
    so copying the image is not enough. Palette and transparency are kept: they are pixels.
    """
    fresh = Image.frombytes(image.mode, image.size, image.tobytes())
    transparency = None
    if image.mode in ("P", "PA"):
        palette = image.getpalette()
        if palette is not None:
            fresh.putpalette(palette)
    if image.mode in ("P", "L", "RGB", "1"):
        transparency = image.info.get("transparency")
    return fresh, transparency


_MODES: Final = {
    "JPEG": ("L", "RGB"),
    "WEBP": ("RGB", "RGBA"),
    "GIF": ("P", "L", "RGB", "RGBA", "1"),
}
_SAVE_OPTIONS: Final[dict[str, dict[str, Any]]] = {
    # 95 keeps the detail an officer may zoom into; the original's hash is recorded anyway.
    "JPEG": {"quality": 95},
    "PNG": {"compress_level": 6},
    "WEBP": {"quality": 95, "method": 4},
    "GIF": {},
}


# ---------------------------------------------------------------- MP4 / MOV / 3GP / M4A

# Boxes that hold user data and metadata, at the top level and inside the movie and tracks.
_METADATA_BOXES: Final = frozenset({b"udta", b"meta", b"uuid", b"XMP_"})
_DESCEND: Final = frozenset({b"moov", b"trak"})


def blank_iso_metadata(data: bytes) -> bytes:
    """``data`` with every user-data and metadata box turned into zero-filled 'free' space.

    The boxes keep their size and place, so the offsets of the media samples stay right and
    the file plays as before; only what a player never needs is gone.
    """
    out = bytearray(data)
    has_movie = False
    for offset, header, size, box in _boxes(out, 0, len(out)):
        if box == b"moov":
            has_movie = True
        _blank_or_descend(out, offset, header, size, box)
    if not has_movie:
        raise DamagedFile("the video has no movie header ('moov'); it is incomplete")
    return bytes(out)


def _blank_or_descend(out: bytearray, offset: int, header: int, size: int, box: bytes) -> None:
    if box in _METADATA_BOXES:
        out[offset + 4 : offset + 8] = b"free"
        out[offset + header : offset + size] = bytes(size - header)
    elif box in _DESCEND:
        for child in _boxes(out, offset + header, offset + size):
            _blank_or_descend(out, *child)


def _boxes(data: bytearray, start: int, end: int) -> Iterator[tuple[int, int, int, bytes]]:
    """(offset, header length, size, type) of each box between ``start`` and ``end``."""
    position = start
    while position < end:
        if end - position < 8:
            raise DamagedFile("the video's box structure is cut short")
        size = int.from_bytes(data[position : position + 4], "big")
        box = bytes(data[position + 4 : position + 8])
        header = 8
        if size == 1:
            if end - position < 16:
                raise DamagedFile("the video's box structure is cut short")
            size = int.from_bytes(data[position + 8 : position + 16], "big")
            header = 16
        elif size == 0:  # "to the end of the enclosing box"
            size = end - position
        if size < header or position + size > end:
            raise DamagedFile(
                f"the video's box {box.decode('latin-1')!r} at byte {position} claims "
                f"{size} bytes, which do not fit; the file is damaged or incomplete"
            )
        yield position, header, size, box
        position += size


# ------------------------------------------------------------------------------------ MP3


def strip_mp3_tags(data: bytes) -> bytes:
    """MPEG audio without ID3v2 (front), APEv2 and ID3v1 (end) tags; the frames untouched."""
    body = data
    while body.startswith(b"ID3"):
        if len(body) < 10 or any(b & 0x80 for b in body[6:10]):
            raise DamagedFile("the MP3's ID3 tag is damaged")
        # A "syncsafe" integer: 7 bits per byte, so no byte of it looks like a sync word.
        size = (body[6] << 21) | (body[7] << 14) | (body[8] << 7) | body[9]
        footer = 10 if body[5] & 0x10 else 0
        body = body[10 + size + footer :]
    if len(body) >= 128 and body[-128:-125] == b"TAG":
        body = body[:-128]
    if len(body) >= 32 and body[-32:-24] == b"APETAGEX":
        tag_size = int.from_bytes(body[-20:-16], "little")
        flags = int.from_bytes(body[-12:-8], "little")
        with_header = 32 if flags & 0x80000000 else 0
        if tag_size + with_header > len(body):
            raise DamagedFile("the MP3's APE tag is damaged")
        body = body[: len(body) - tag_size - with_header]
    _check_mp3_frames(body)
    return body


def _check_mp3_frames(body: bytes) -> None:
    """Two frames in a row, or one filling the file: a lone sync word is not audio."""
    first = types.mp3_frame_length(body[:4])
    if first is None:
        raise DamagedFile("no MPEG audio frames follow the MP3's tags")
    if len(body) > first + 4 and types.mp3_frame_length(body[first : first + 4]) is None:
        raise DamagedFile("the MP3's frames do not follow one another; it is not MPEG audio")


# ------------------------------------------------------------------------------------ WAV

# Format, sample count and samples: all a player needs. LIST/INFO, bext, iXML and id3 chunks
# carry names, dates, software and sometimes a location.
_WAV_KEEP: Final = frozenset({b"fmt ", b"fact", b"data"})


def strip_wav_chunks(data: bytes) -> bytes:
    """A WAV file with only its format, fact and data chunks."""
    if len(data) < 12:
        raise DamagedFile("the WAV file is cut short")
    kept: list[bytes] = []
    seen: set[bytes] = set()
    position = 12
    while position + 8 <= len(data):
        chunk = data[position : position + 4]
        size = int.from_bytes(data[position + 4 : position + 8], "little")
        end = position + 8 + size
        if end > len(data):
            raise DamagedFile(
                f"the WAV chunk {chunk.decode('latin-1')!r} claims more bytes than the file has"
            )
        padded = end + (size & 1)  # chunks are word-aligned
        if chunk in _WAV_KEEP:
            kept.append(data[position:padded])
            seen.add(chunk)
        position = padded
    if not {b"fmt ", b"data"} <= seen:
        raise DamagedFile("the WAV file has no format or no sound data")
    body = b"WAVE" + b"".join(kept)
    return b"RIFF" + len(body).to_bytes(4, "little") + body


# ------------------------------------------------------------------------------------ PDF


def check_pdf(data: bytes) -> None:
    """A PDF ends with an end-of-file marker; one without it was cut off on the way."""
    if b"%%EOF" not in data[-2048:]:
        raise DamagedFile("the PDF has no end-of-file marker; it is incomplete")
