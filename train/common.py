"""Pieces shared by the pixel-loss and GAN training stages: EMA, validation, learning-rate
schedule, CSV logging and exporting shippable weights."""
from __future__ import annotations

import copy
import csv
import math
import time
from pathlib import Path

import torch
from PIL import Image

from sr_model.evaluate import evaluate, list_images
from sr_model.imaging import to_tensor
from sr_model.model import SRModel
from sr_model.tiling import render


class EMA:
    """Exponential moving average of a model's parameters (buffers copied)."""

    def __init__(self, model: torch.nn.Module, decay: float = 0.999):
        self.model = copy.deepcopy(model).eval()
        self.decay = decay
        for p in self.model.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, model: torch.nn.Module, step: int) -> None:
        d = min(self.decay, (1 + step) / (10 + step))
        for e, p in zip(self.model.parameters(), model.parameters()):
            e.lerp_(p.detach(), 1 - d)
        for e, b in zip(self.model.buffers(), model.buffers()):
            e.copy_(b)


def cosine_lr(step: int, total: int, base: float, warmup: int = 200, floor: float = 0.01) -> float:
    if step < warmup:
        return base * (step + 1) / warmup
    t = min(1.0, (step - warmup) / max(1, total - warmup))
    return base * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * t)))


def model_upscaler(model: SRModel):
    """(lr PIL, size) -> SR PIL using the fp32 tiled renderer (for validation)."""
    def fn(lr: Image.Image, size: tuple[int, int]) -> Image.Image:
        x = to_tensor(lr)
        return Image.fromarray(render(model, x, size[1], size[0]))
    return fn


def validate(model: SRModel, folder: str | Path, scales=(4,)) -> dict:
    model.eval()
    res = evaluate({"model": model_upscaler(model)}, list_images(folder), scales)
    return {s: r["model"] for s, r in res.items()}


class CSVLog:
    def __init__(self, path: Path, fields: list[str]):
        self.path, self.fields = path, fields
        if not path.exists():
            with path.open("w", newline="") as f:
                csv.writer(f).writerow(["time"] + fields)

    def write(self, **row) -> None:
        with self.path.open("a", newline="") as f:
            csv.writer(f).writerow([f"{time.time():.0f}"] + [row.get(k, "") for k in self.fields])


def export(model: SRModel, folder: str | Path) -> None:
    """Write config.json + model.safetensors (fp32) into ``folder``."""
    model.save_pretrained(str(folder))
