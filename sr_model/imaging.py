"""Image I/O and mode handling: load and validate files, split/merge alpha and grey, convert
to/from tensors, and save atomically (temp file + rename) in the format the extension names."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import InputError

Image.MAX_IMAGE_PIXELS = 256_000_000  # inputs above this are refused, not decompressed
SAVE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP",
                ".bmp": "BMP", ".tif": "TIFF", ".tiff": "TIFF"}


def open_image(path: str | os.PathLike) -> Image.Image:
    """Open, fully decode and EXIF-orient an image file, or raise InputError."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"input file not found: {p}")
    if p.is_dir():
        raise InputError(f"input is a directory, not an image: {p}")
    if p.stat().st_size == 0:
        raise InputError(f"input file is empty (0 bytes): {p}")
    try:
        with Image.open(p) as im:
            im.load()
            return orient(im)
    except UnidentifiedImageError:
        raise InputError(f"not a readable image: {p}") from None
    except Image.DecompressionBombError:
        raise InputError(f"image is too large to open safely: {p}") from None
    except (OSError, SyntaxError, ValueError) as e:
        raise InputError(f"image is damaged or truncated: {p} ({e})") from None


def orient(im: Image.Image) -> Image.Image:
    """Apply the EXIF orientation tag so pixels are upright."""
    return ImageOps.exif_transpose(im) or im


def _to_8bit_gray(im: Image.Image) -> Image.Image:
    a = np.asarray(im).astype(np.float64)
    if im.mode.startswith("I;16") or (im.mode == "I" and a.max(initial=0) > 255):
        a = a / 257.0  # 16-bit range -> 8 bit
    elif im.mode == "F" and a.max(initial=0) <= 1.0:
        a = a * 255.0
    return Image.fromarray(np.clip(np.round(a), 0, 255).astype(np.uint8), "L")


def split(im: Image.Image) -> tuple[Image.Image, Image.Image | None, bool]:
    """-> (RGB image, alpha 'L' image or None, source was greyscale)."""
    mode = im.mode
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif mode == "PA":
        im = im.convert("RGBA")
    elif mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        im = _to_8bit_gray(im)
    elif mode == "1":
        im = im.convert("L")
    elif mode in ("La", "RGBa"):
        im = im.convert(mode.replace("a", "A"))
    mode = im.mode
    if mode == "L":
        return im.convert("RGB"), None, True
    if mode == "LA":
        return im.convert("L").convert("RGB"), im.getchannel("A"), True
    if mode == "RGBA":
        return im.convert("RGB"), im.getchannel("A"), False
    return im.convert("RGB"), None, False


def merge(rgb: Image.Image, alpha: Image.Image | None, gray: bool) -> Image.Image:
    base = rgb.convert("L") if gray else rgb
    if alpha is None:
        return base
    out = base.convert("LA" if gray else "RGBA")
    out.putalpha(alpha)
    return out


def to_tensor(rgb: Image.Image, device="cpu"):
    """RGB PIL image -> (1,3,h,w) float tensor in [0,1] on ``device``."""
    import torch
    arr = np.asarray(rgb.convert("RGB"))
    return (torch.from_numpy(arr.copy()).permute(2, 0, 1).unsqueeze(0).float() / 255.0).to(device)


def output_format(path: str | os.PathLike) -> str:
    fmt = SAVE_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(f"unsupported output extension {Path(path).suffix!r}; use one of "
                         + ", ".join(sorted(SAVE_FORMATS)))
    return fmt


def save_image(im: Image.Image, path: str | os.PathLike, quality: int = 95) -> None:
    """Save atomically: encode to a temp file in the target folder, then rename over ``path``.
    JPEG has no alpha: transparent images are composited on white."""
    path = Path(path)
    fmt = output_format(path)
    if fmt == "JPEG" and im.mode in ("RGBA", "LA"):
        bg = Image.new("RGB" if im.mode == "RGBA" else "L", im.size, 255)
        bg.paste(im.convert(im.mode[:-1]), mask=im.getchannel("A"))
        im = bg
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"output folder does not exist: {folder}")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".sr-", suffix=path.suffix, dir=folder)
    except OSError as e:
        raise InputError(f"cannot write to {folder}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            kwargs = {"quality": quality} if fmt in ("JPEG", "WEBP") else {}
            im.save(f, format=fmt, **kwargs)
        os.replace(tmp, path)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            raise InputError(f"cannot write {path}: {e.strerror or e}") from None
        raise
