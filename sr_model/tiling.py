"""Tiled inference: bounded memory for any output size, identical to untiled output.

The LR image is cut into tiles; each tile is encoded together with a halo of
``model.halo`` LR pixels (encoder receptive radius + neighbour gather + bicubic taps), so the
features of the tile's core are exactly the untiled features.  Every output pixel is owned by
the tile whose core contains its top-left LR neighbour, so tiles partition the output: no
seams by construction, no blending needed, and the result does not depend on the tile size.
Inside a tile the output is decoded in row chunks of at most ``chunk`` pixels, which bounds
the decoder's working memory whatever the scale.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch

DEFAULT_TILE = 384           # LR pixels per tile side when the caller does not choose
DEFAULT_CHUNK = 1 << 16      # output pixels decoded at once


def _owner_ranges(n_out: int, n_in: int, tile: int):
    """For one axis: continuous LR coordinates of output pixel centres and, per tile, the
    [start, stop) range of output indices it owns."""
    coord = (torch.arange(n_out, dtype=torch.float64) + 0.5) * n_in / n_out - 0.5
    owner = torch.floor(coord).clamp(0, n_in - 1)
    ranges = []
    for t0 in range(0, n_in, tile):
        lo = int(torch.searchsorted(owner, float(t0)))
        hi = int(torch.searchsorted(owner, float(min(t0 + tile, n_in))))
        ranges.append((t0, min(t0 + tile, n_in), lo, hi))
    return coord.float(), ranges


@torch.no_grad()
def render(model, lr: torch.Tensor, out_h: int, out_w: int, tile: int | None = None,
           chunk: int = DEFAULT_CHUNK, progress: Callable[[int, int], None] | None = None,
           decode: Callable | None = None) -> np.ndarray:
    """Upscale ``lr`` (1,3,h,w float in [0,1]) to (out_h,out_w); returns uint8 (H,W,3).

    ``decode(proj, lr_tile, u, v, cell)`` defaults to ``model.generator.render_grid``."""
    _, _, h, w = lr.shape
    tile = int(tile) if tile else DEFAULT_TILE
    if tile < 1:
        raise ValueError("tile must be a positive number of LR pixels")
    decode = decode or model.generator.render_grid
    halo = model.halo
    u_all, row_tiles = _owner_ranges(out_h, h, tile)
    v_all, col_tiles = _owner_ranges(out_w, w, tile)
    cell = torch.tensor([h / out_h, w / out_w], dtype=torch.float32, device=lr.device)
    out = np.empty((out_h, out_w, 3), dtype=np.uint8)
    total, done = len(row_tiles) * len(col_tiles), 0
    for y0, y1, r_lo, r_hi in row_tiles:
        ey0, ey1 = max(0, y0 - halo), min(h, y1 + halo)
        for x0, x1, c_lo, c_hi in col_tiles:
            done += 1
            if r_hi > r_lo and c_hi > c_lo:
                ex0, ex1 = max(0, x0 - halo), min(w, x1 + halo)
                crop = lr[:, :, ey0:ey1, ex0:ex1]
                proj = model.features(crop)
                v = (v_all[c_lo:c_hi] - ex0).to(lr.device)
                rows_per_chunk = max(1, chunk // (c_hi - c_lo))
                for r0 in range(r_lo, r_hi, rows_per_chunk):
                    r1 = min(r_hi, r0 + rows_per_chunk)
                    u = (u_all[r0:r1] - ey0).to(lr.device)
                    rgb = decode(proj, crop, u, v, cell)
                    out[r0:r1, c_lo:c_hi] = (rgb.float().clamp(0, 1) * 255).round().byte().cpu().numpy()
            if progress is not None:
                progress(done, total)
    return out
