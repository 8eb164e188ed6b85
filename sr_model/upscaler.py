"""``Upscaler``: the user-facing engine object (PIL in, PIL out, any output size).

It owns the fidelity model, the optional realism (GAN) model and a blend between them, the
device, and the output-pixel limit.  Upscaling runs the implicit model on the axes that grow;
an axis that shrinks (or a whole request with scale <= 1) is a plain Lanczos resize, since
there is nothing to super-resolve.  Alpha is resized separately with bicubic; greyscale
stays greyscale.
"""
from __future__ import annotations

import copy
import math
from typing import Callable

import torch
from PIL import Image

from . import imaging
from .errors import InputError
from .model import SRModel
from .sizing import DEFAULT_MAX_PIXELS, resolve_size
from .tiling import render


def resolve_device(device: str | torch.device | None = None) -> torch.device:
    """None/'auto' -> CUDA if present, else MPS, else CPU; otherwise validate the name."""
    if device is None or str(device) == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    name = str(device)
    kind = name.split(":")[0]
    if kind not in ("cpu", "cuda", "mps"):
        raise InputError(f"unknown device {name!r}; use cpu, cuda or mps")
    if kind == "cuda" and not torch.cuda.is_available():
        raise InputError("device 'cuda' requested but no CUDA GPU is available")
    if kind == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise InputError("device 'mps' requested but MPS is not available")
    return torch.device(name)


def _prepare(model: SRModel, device: torch.device) -> SRModel:
    model = model.to(device).eval()
    if device.type == "cpu":
        model.encoder.to(memory_format=torch.channels_last)  # ~1.8x faster convs on CPU
    for p in model.parameters():
        p.requires_grad_(False)
    return model


class Upscaler:
    def __init__(self, fidelity: SRModel, realism: SRModel | None = None,
                 device: str | torch.device | None = None, max_pixels: int | None = DEFAULT_MAX_PIXELS):
        self.device = resolve_device(device)
        self.fidelity = _prepare(fidelity, self.device)
        self.realism = _prepare(realism, self.device) if realism is not None else None
        self.max_pixels = max_pixels
        self._blend: tuple[float, SRModel] | None = None

    @property
    def has_realism(self) -> bool:
        return self.realism is not None

    def model_for(self, realism: float = 0.0) -> SRModel:
        """Fidelity (0), realism (1) or a weight interpolation between them."""
        try:
            t = float(realism)
        except (TypeError, ValueError):
            raise InputError(f"realism must be a number in [0, 1], got {realism!r}") from None
        if not math.isfinite(t) or not 0.0 <= t <= 1.0:
            raise InputError(f"realism must be in [0, 1], got {realism!r}")
        if t == 0.0:
            return self.fidelity
        if self.realism is None:
            raise InputError("these weights have no realism model; use realism=0")
        if t == 1.0:
            return self.realism
        if self._blend is None or self._blend[0] != t:
            blended = copy.deepcopy(self.fidelity)
            fs, rs = self.fidelity.state_dict(), self.realism.state_dict()
            blended.load_state_dict({k: torch.lerp(fs[k].float(), rs[k].float(), t).to(fs[k].dtype)
                                     for k in fs})
            self._blend = (t, blended)
        return self._blend[1]

    def target_size(self, in_size: tuple[int, int], *, scale=None, size=None, width=None,
                    height=None) -> tuple[int, int]:
        return resolve_size(in_size, scale=scale, size=size, width=width, height=height,
                            max_pixels=self.max_pixels)

    def upscale(self, image: Image.Image, *, scale: float | None = None,
                size: tuple[int, int] | None = None, tile: int | None = None,
                progress: Callable[[int, int], None] | None = None,
                realism: float = 0.0) -> Image.Image:
        """Resize ``image`` to ``size`` (width, height) or by ``scale``; exactly one of them.

        Growing axes are super-resolved; a scale <= 1 is a high-quality Lanczos downscale.
        ``tile`` (LR pixels) bounds memory and never changes the result; ``progress(done,
        total)`` is called after each tile; ``realism`` in [0, 1] picks fidelity (0), GAN (1)
        or a blend."""
        if not isinstance(image, Image.Image):
            raise InputError("image must be a PIL.Image.Image")
        if image.width < 1 or image.height < 1:
            raise InputError("image is empty")
        if tile is not None and (not isinstance(tile, int) or tile < 1):
            raise InputError(f"tile must be a positive integer, got {tile!r}")
        out_w, out_h = self.target_size(image.size, scale=scale, size=size)
        model = self.model_for(realism)
        rgb, alpha, gray = imaging.split(image)
        w, h = rgb.size
        mid = (max(out_w, w), max(out_h, h))
        if mid != (w, h):
            with torch.inference_mode():
                arr = render(model, imaging.to_tensor(rgb, self.device), mid[1], mid[0],
                             tile=tile, progress=progress)
            rgb = Image.fromarray(arr, "RGB")
        elif progress is not None:
            progress(1, 1)
        if rgb.size != (out_w, out_h):
            rgb = rgb.resize((out_w, out_h), Image.LANCZOS)
        if alpha is not None:
            alpha = alpha.resize((out_w, out_h), Image.BICUBIC)
        return imaging.merge(rgb, alpha, gray)
