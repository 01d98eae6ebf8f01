"""The only module that imports Pillow: an uploaded photo checked by its content and re-encoded.

Re-encoding drops every byte of the original but the pixels: EXIF (GPS position, device, time),
XMP, comments and anything hidden after the image data."""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# A phone's original is at most ~50 megapixels; more is a decompression bomb.
MAX_PIXELS = 60_000_000
# Stored photos are never larger than this on their long side (what the phone page sends too).
MAX_SIDE = 1600
JPEG_QUALITY = 82


class NotAnImage(ValueError):
    """The bytes are no JPEG, PNG or WebP image we can read (or are too many pixels)."""


@dataclass(frozen=True)
class Encoded:
    data: bytes
    content_type: str
    width: int
    height: int


def _open(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            if image.width * image.height > MAX_PIXELS:
                raise NotAnImage("too many pixels")
            if image.format == "JPEG":
                # Decode a large original at 1/2, 1/4 or 1/8 scale straight from the JPEG (never
                # below MAX_SIDE): a 12-megapixel photo costs a quarter of the time and memory.
                scale = MAX_SIDE / max(image.size)
                image.draft("RGB", (int(image.width * scale), int(image.height * scale)))
            image.load()
        except (
            UnidentifiedImageError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ):
            raise NotAnImage("not a JPEG, PNG or WebP image") from None
        except (OSError, SyntaxError, ValueError) as error:  # truncated or corrupt data
            raise NotAnImage(str(error)) from None
    return image


def reencode(data: bytes) -> Encoded:
    """A JPEG of the image, upright (the EXIF orientation applied), at most MAX_SIDE px, no metadata."""
    image = _open(data)
    # A broken orientation tag: keep the pixels as they are.
    with contextlib.suppress(OSError, ValueError, SyntaxError):
        image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return Encoded(out.getvalue(), "image/jpeg", image.width, image.height)
