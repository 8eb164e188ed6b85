"""sr_model: arbitrary-scale image super-resolution with a CPU-first implicit generator.

Public API::

    from sr_model import load_model
    up = load_model()                       # shipped weights, auto device (CUDA > MPS > CPU)
    out = up.upscale(img, scale=2.7)        # or size=(1920, 1080); scale <= 1 is a plain downscale
"""
from __future__ import annotations

from pathlib import Path

from typing import TYPE_CHECKING

from .errors import InputError
from .sizing import DEFAULT_MAX_PIXELS, parse_size, resolve_size

if TYPE_CHECKING:  # heavy imports (torch) stay lazy so input errors are reported fast
    from .model import SRModel
    from .upscaler import Upscaler

__all__ = ["load_model", "Upscaler", "SRModel", "InputError", "resolve_size", "parse_size",
           "resolve_device", "DEFAULT_WEIGHTS"]


def __getattr__(name: str):
    if name in ("Upscaler", "resolve_device"):
        from . import upscaler
        return getattr(upscaler, name)
    if name == "SRModel":
        from .model import SRModel
        return SRModel
    raise AttributeError(name)

DEFAULT_WEIGHTS = Path(__file__).resolve().parent.parent / "weights"


def _load_folder(folder: Path) -> tuple["SRModel", "SRModel | None"]:
    """A single model folder (config.json + model.safetensors) or a bundle with
    ``fidelity/`` and optional ``realism/`` sub-folders."""
    from .model import SRModel
    if (folder / "fidelity" / "config.json").exists():
        fid = SRModel.load_folder(str(folder / "fidelity"))
        real = (SRModel.load_folder(str(folder / "realism"))
                if (folder / "realism" / "config.json").exists() else None)
        return fid, real
    if (folder / "config.json").exists():
        return SRModel.load_folder(str(folder)), None
    raise InputError(f"no model found in {folder} (expected config.json or fidelity/config.json)")


def load_model(source: str | Path | None = None, device: str | None = None,
               max_pixels: int | None = DEFAULT_MAX_PIXELS) -> "Upscaler":
    """Load an ``Upscaler``. ``source``: a local folder or a Hugging Face Hub repo id
    (``user/name``, downloaded once into the HF cache); default: the weights shipped in
    this repository. ``device``: None/'auto', 'cpu', 'cuda' or 'mps'. ``max_pixels``: refuse
    larger outputs (None = no limit)."""
    folder = Path(source) if source is not None else DEFAULT_WEIGHTS
    if source is None or folder.exists():
        fid, real = _load_folder(folder)
    else:
        from huggingface_hub import snapshot_download
        try:
            local = snapshot_download(str(source), allow_patterns=["*.json", "*.safetensors", "*/*.json",
                                                                   "*/*.safetensors"])
        except Exception as e:  # network, auth or missing repo: one clear message
            raise InputError(f"could not load model {source!r}: not a local folder, and the Hub "
                             f"download failed ({type(e).__name__})") from None
        fid, real = _load_folder(Path(local))
    from .upscaler import Upscaler
    return Upscaler(fid, real, device=device, max_pixels=max_pixels)
