"""Training data: decode the training photos once into memory and draw random-scale batches.

Each batch has one scale s ~ U(min_scale, max_scale): HR crops of round(lr_size*s) pixels,
LR = antialiased bicubic downscale (quantised to 8 bit, like the Pillow LR at evaluation), and
``queries`` query points per sample drawn afresh every batch at random HR pixel centres (so
their offsets to the LR grid are continuous and never a fixed grid).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from sr_model.evaluate import list_images


def load_images(folder: str | Path) -> list[torch.Tensor]:
    """All images of ``folder`` as uint8 (3,H,W) tensors."""
    return [torch.from_numpy(np.asarray(Image.open(p).convert("RGB"))).permute(2, 0, 1).contiguous()
            for p in list_images(folder)]


class RandomScaleSampler:
    def __init__(self, images: list[torch.Tensor], lr_size: int = 48, queries: int = 2304,
                 min_scale: float = 1.0, max_scale: float = 4.0, seed: int = 0):
        self.images, self.lr_size, self.queries = images, lr_size, queries
        self.min_scale, self.max_scale = min_scale, max_scale
        self.gen = torch.Generator().manual_seed(seed)

    def _rand(self, *shape):
        return torch.rand(*shape, generator=self.gen)

    def _randint(self, high: int, *shape):
        return torch.randint(0, high, shape, generator=self.gen)

    def crops(self, batch: int, hr_size: int) -> torch.Tensor:
        """``batch`` random HR crops (B,3,hr,hr) in [0,1] with random flips/transposes."""
        out = []
        for _ in range(batch):
            img = self.images[int(self._randint(len(self.images)))]
            _, h, w = img.shape
            y, x = int(self._randint(h - hr_size + 1)), int(self._randint(w - hr_size + 1))
            c = img[:, y:y + hr_size, x:x + hr_size]
            if self._rand(1) < 0.5:
                c = c.flip(2)
            if self._rand(1) < 0.5:
                c = c.flip(1)
            if self._rand(1) < 0.5:
                c = c.transpose(1, 2)
            out.append(c)
        return torch.stack(out).float() / 255.0

    def pair(self, batch: int, lr_size: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """(lr, hr) at one random scale: lr (B,3,l,l) quantised to 8 bit, hr (B,3,H,H)."""
        lr_size = lr_size or self.lr_size
        s = self.min_scale + (self.max_scale - self.min_scale) * float(self._rand(1))
        hr_size = max(lr_size, round(lr_size * s))
        hr = self.crops(batch, hr_size)
        lr = F.interpolate(hr, size=(lr_size, lr_size), mode="bicubic", antialias=True,
                           align_corners=False)
        return (lr.clamp(0, 1) * 255).round() / 255, hr

    def batch(self, batch: int) -> dict[str, torch.Tensor]:
        """lr (B,3,l,l); hr (B,3,H,H); coords (B,N,2) in [0,1]; target (B,N,3); cell (B,2)."""
        lr, hr = self.pair(batch)
        hr_size = hr.shape[-1]
        iy = self._randint(hr_size, batch, self.queries)
        ix = self._randint(hr_size, batch, self.queries)
        coords = torch.stack([(iy + 0.5) / hr_size, (ix + 0.5) / hr_size], -1)
        flat = hr.flatten(2)  # (B,3,H*H)
        target = torch.gather(flat, 2, (iy * hr_size + ix).unsqueeze(1).expand(-1, 3, -1)).transpose(1, 2)
        cell = torch.full((batch, 2), self.lr_size / hr_size)
        return {"lr": lr, "hr": hr, "coords": coords, "target": target, "cell": cell,
                "scale": torch.tensor(hr_size / self.lr_size)}


def grid_coords(batch: int, h: int, w: int) -> torch.Tensor:
    """(B,h*w,2) coordinates (y, x) in [0,1] of every pixel centre of an h x w image."""
    yy, xx = torch.meshgrid((torch.arange(h) + 0.5) / h, (torch.arange(w) + 0.5) / w, indexing="ij")
    return torch.stack([yy, xx], -1).view(1, h * w, 2).expand(batch, -1, -1)
