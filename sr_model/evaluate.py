"""The fixed evaluation protocol used by ``python -m sr_model eval`` and by training.

HR is cropped to a multiple of the scale, LR = Pillow bicubic downscale, SR is produced at
exactly the HR size, PSNR on RGB in [0,1] with ``scale`` border pixels removed, plus SSIM and
the gradient-energy ratio mean|grad SR| / mean|grad HR| (1.0 = as much detail as the original).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

import numpy as np
from PIL import Image

from .metrics import gradient_energy, psnr, shave, ssim

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}

UpscaleFn = Callable[[Image.Image, tuple[int, int]], Image.Image]


def list_images(folder: str | Path) -> list[Path]:
    paths = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise FileNotFoundError(f"no images found in {folder}")
    return paths


def degrade(hr: Image.Image, scale: int) -> tuple[Image.Image, Image.Image]:
    """Crop HR to a multiple of ``scale`` and make its bicubic LR."""
    w, h = hr.size
    hr = hr.crop((0, 0, w - w % scale, h - h % scale))
    lr = hr.resize((hr.width // scale, hr.height // scale), Image.BICUBIC)
    return hr, lr


def score(sr: Image.Image, hr: Image.Image, scale: int) -> dict[str, float]:
    a = shave(np.asarray(sr.convert("RGB"), dtype=np.float64) / 255.0, scale)
    b = shave(np.asarray(hr.convert("RGB"), dtype=np.float64) / 255.0, scale)
    return {"psnr": psnr(a, b), "ssim": ssim(a, b),
            "grad": gradient_energy(a) / max(gradient_energy(b), 1e-12)}


def bicubic(lr: Image.Image, size: tuple[int, int]) -> Image.Image:
    return lr.resize(size, Image.BICUBIC)


def evaluate(methods: dict[str, UpscaleFn], paths: Iterable[str | Path],
             scales: Iterable[int]) -> dict[int, dict[str, dict[str, float]]]:
    """Returns {scale: {method: {psnr, ssim, grad}}} averaged over images."""
    hrs = [Image.open(p).convert("RGB") for p in paths]
    results: dict[int, dict[str, dict[str, float]]] = {}
    for s in scales:
        per_method: dict[str, list[dict[str, float]]] = {name: [] for name in methods}
        for hr in hrs:
            hr_c, lr = degrade(hr, s)
            for name, fn in methods.items():
                per_method[name].append(score(fn(lr, hr_c.size), hr_c, s))
        results[s] = {name: {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}
                      for name, rows in per_method.items()}
    return results


def format_table(results: dict[int, dict[str, dict[str, float]]], title: str = "") -> str:
    names = list(next(iter(results.values())).keys())
    head = "| scale | " + " | ".join(f"{n} PSNR | {n} SSIM | {n} grad" for n in names) + " |"
    sep = "|" + "---|" * (1 + 3 * len(names))
    lines = [title] if title else []
    lines += [head, sep]
    for s, row in results.items():
        cells = " | ".join(f"{row[n]['psnr']:.2f} | {row[n]['ssim']:.4f} | {row[n]['grad']:.2f}"
                           for n in names)
        lines.append(f"| x{s} | {cells} |")
    return "\n".join(lines)
