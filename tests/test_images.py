"""Image modes and metadata: EXIF orientation, grey, alpha, 16-bit, palette, output formats."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from conftest import photo
from sr_model import imaging


def test_exif_orientation_applied(tmp_path):
    img = photo(60, 40)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    path = tmp_path / "rot.jpg"
    img.save(path, exif=exif)
    loaded = imaging.open_image(path)
    assert loaded.size == (40, 60)


def test_grey_stays_grey(upscaler):
    out = upscaler.upscale(photo(mode="L"), scale=2)
    assert out.mode == "L" and out.size == (192, 160)


def test_rgba_keeps_alpha(upscaler):
    img = photo(40, 30).convert("RGBA")
    alpha = np.zeros((30, 40), np.uint8)
    alpha[:, 20:] = 255
    img.putalpha(Image.fromarray(alpha))
    out = upscaler.upscale(img, scale=2)
    assert out.mode == "RGBA" and out.size == (80, 60)
    a = np.asarray(out.getchannel("A"))
    assert a[:, :30].max() < 30 and a[:, 50:].min() > 225  # transparent left, opaque right


def test_la_keeps_alpha(upscaler):
    img = photo(30, 20, mode="LA")
    assert upscaler.upscale(img, scale=2).mode == "LA"


def test_16bit_grey(upscaler):
    arr = (np.asarray(photo(32, 24, mode="L"), np.uint16) * 257)
    img = Image.fromarray(arr)
    assert img.mode == "I;16"
    out = upscaler.upscale(img, scale=2)
    assert out.mode == "L" and out.size == (64, 48)
    ref = np.asarray(photo(32, 24, mode="L").resize((64, 48), Image.BICUBIC), np.float64)
    assert np.abs(np.asarray(out, np.float64) - ref).mean() < 8  # same brightness range, not /256


def test_palette_and_palette_transparency(upscaler):
    p = photo(30, 20).quantize(16)
    assert upscaler.upscale(p, scale=2).mode == "RGB"
    p.info["transparency"] = 0
    assert upscaler.upscale(p, scale=2).mode == "RGBA"


@pytest.mark.parametrize("ext,fmt", [(".png", "PNG"), (".jpg", "JPEG"), (".webp", "WEBP")])
def test_save_format_from_extension(tmp_path, ext, fmt):
    path = tmp_path / f"out{ext}"
    imaging.save_image(photo().convert("RGBA"), path)
    with Image.open(path) as im:
        assert im.format == fmt
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left
