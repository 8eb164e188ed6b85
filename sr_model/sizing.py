"""Output-size resolution shared by the Python API, the CLI and the app."""
from __future__ import annotations

import math

from .errors import InputError

DEFAULT_MAX_PIXELS = 64_000_000


def _positive_int(value, name: str) -> int:
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a whole number of pixels, got {value!r}") from None
    if not math.isfinite(f) or f != int(f) or f < 1:
        raise InputError(f"{name} must be a whole number of pixels >= 1, got {value!r}")
    return int(f)


def parse_size(text: str) -> tuple[int, int]:
    """'1920x1080' (or 1920X1080, 1920*1080, 1920×1080) -> (1920, 1080)."""
    parts = str(text).lower().replace("×", "x").replace("*", "x").split("x")
    if len(parts) != 2:
        raise InputError(f"size must look like WIDTHxHEIGHT (e.g. 1920x1080), got {text!r}")
    return _positive_int(parts[0].strip(), "width"), _positive_int(parts[1].strip(), "height")


def resolve_size(in_size: tuple[int, int], *, scale: float | None = None,
                 size: tuple[int, int] | None = None, width: int | None = None,
                 height: int | None = None, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> tuple[int, int]:
    """Output (width, height) from exactly one of scale / size / width / height.

    ``width`` or ``height`` alone keeps the aspect ratio; ``size`` may change it."""
    w, h = in_size
    given = [k for k, v in (("scale", scale), ("size", size), ("width", width), ("height", height))
             if v is not None]
    if len(given) != 1:
        raise InputError("give exactly one of scale, size, width or height"
                         + (f" (got {', '.join(given)})" if given else ""))
    if scale is not None:
        try:
            s = float(scale)
        except (TypeError, ValueError):
            raise InputError(f"scale must be a number, got {scale!r}") from None
        if not math.isfinite(s) or s <= 0:
            raise InputError(f"scale must be a finite number > 0, got {scale!r}")
        out = (max(1, round(w * s)), max(1, round(h * s)))
    elif size is not None:
        if isinstance(size, str):
            out = parse_size(size)
        else:
            if len(size) != 2:
                raise InputError(f"size must be (width, height), got {size!r}")
            out = (_positive_int(size[0], "width"), _positive_int(size[1], "height"))
    elif width is not None:
        W = _positive_int(width, "width")
        out = (W, max(1, round(h * W / w)))
    else:
        H = _positive_int(height, "height")
        out = (max(1, round(w * H / h)), H)
    if max_pixels is not None and out[0] * out[1] > max_pixels:
        raise InputError(f"output {out[0]}x{out[1]} is {out[0] * out[1] / 1e6:.1f} MP, above the "
                         f"limit of {max_pixels / 1e6:.1f} MP")
    return out


PRESETS = {"1080p": 1920, "1440p": 2560, "4K": 3840, "8K": 7680}  # long side in pixels


def fit_long_side(in_size: tuple[int, int], long_side: int) -> tuple[int, int]:
    """Size with the given long side and the input's aspect ratio."""
    w, h = in_size
    if w >= h:
        return long_side, max(1, round(h * long_side / w))
    return max(1, round(w * long_side / h)), long_side
