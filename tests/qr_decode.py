"""Reading QR codes back the way a phone would: zbar's zbarimg on an image."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

ZBARIMG = shutil.which("zbarimg")
needs_zbar = pytest.mark.skipif(
    ZBARIMG is None, reason="zbarimg (Debian package zbar-tools) is not installed"
)


def decode(path) -> list[str]:
    """Every QR payload zbarimg finds in an image file."""
    out = subprocess.run(
        [ZBARIMG, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return [line for line in out.stdout.splitlines() if line]


def rasterise_svg(svg: str, scale: int = 8) -> Image.Image:
    """Paint the module rectangles of one of our QR SVGs (qrcode's path syntax) onto a white image."""
    root = ET.fromstring(svg)
    size = int(float(root.get("viewBox").split()[2]))
    image = Image.new("L", (size * scale, size * scale), 255)
    path = root.find("{http://www.w3.org/2000/svg}path").get("d")
    for x1, y1, x2, y2, _x in re.findall(r"M(\d+),(\d+)H(\d+)V(\d+)H(\d+)z", path):
        image.paste(0, (int(x1) * scale, int(y1) * scale, int(x2) * scale, int(y2) * scale))
    return image
