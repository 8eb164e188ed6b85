"""Implicit (coordinate-based) decoder: RGB at any continuous coordinate from nearby latents.

For a query point the generator takes the 2x2 low-resolution latents around it and

* encodes each neighbour's offset ``delta`` (in LR pixels) with multi-band Fourier features
  (log-spaced frequencies, per axis);
* scores each neighbour with locality-aware cross-attention: a query vector made from the
  offset features is compared with a key computed from the neighbour's latent, per head;
* forms each neighbour's value as ``V + M * P(gamma(delta))``: the offset's Fourier features
  modulated by the latent (amplitudes per channel), so the decoder can draw detail finer
  than the LR grid;
* mixes values with the attention weights, adds a cell (output pixel size) embedding and
  decodes a residual RGB with a small MLP, added to a bicubic sample of the input.

Keys, values and modulations are projected **once per LR pixel** (``project``); per query we
only gather them and do a few small matmuls.  Two entry points share ``_mix`` and ``_head``:
``query`` for arbitrary coordinates (training) and ``render_grid`` for a regular output
grid (inference), where the offset features are separable per row and per column.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from . import fused as fused_kernel

NEIGHBOURS = ((0, 0), (0, 1), (1, 0), (1, 1))


class FourierFeatures(nn.Module):
    """gamma(d) = [d, sin(f_k d), cos(f_k d)] for log-spaced f_k (radians per LR pixel)."""

    def __init__(self, bands: int, min_freq: float, max_freq: float):
        super().__init__()
        freqs = math.pi * torch.logspace(math.log2(min_freq), math.log2(max_freq), bands, base=2.0)
        self.register_buffer("freqs", freqs, persistent=False)
        self.dim = 1 + 2 * bands

    def forward(self, d: torch.Tensor) -> torch.Tensor:
        x = d.unsqueeze(-1) * self.freqs
        return torch.cat([d.unsqueeze(-1), torch.sin(x), torch.cos(x)], dim=-1)


class ImplicitGenerator(nn.Module):
    def __init__(self, in_channels: int = 64, dim: int = 64, heads: int = 4, key_dim: int = 8,
                 hidden: int = 64, bands: int = 6, min_freq: float = 0.5, max_freq: float = 16.0,
                 cell_min: float = 0.25):
        super().__init__()
        assert dim % heads == 0
        self.dim, self.heads, self.key_dim = dim, heads, key_dim
        self.kd = heads * key_dim
        self.cell_min = cell_min
        self.fourier = FourierFeatures(bands, min_freq, max_freq)
        # per-LR-pixel projection: keys | values | modulations
        self.latent_proj = nn.Conv2d(in_channels, self.kd + 2 * dim, 1)
        # per-offset projection: attention queries | Fourier modulation targets
        self.pos_proj = nn.Linear(2 * self.fourier.dim, self.kd + dim)
        self.cell_proj = nn.Linear(2, dim)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(inplace=True),
                                 nn.Linear(hidden, hidden), nn.ReLU(inplace=True),
                                 nn.Linear(hidden, 3))
        # start as exactly the bicubic base: the residual head begins at zero
        nn.init.zeros_(self.mlp[-1].weight)
        nn.init.zeros_(self.mlp[-1].bias)

    # ---- once per LR pixel -------------------------------------------------------------
    def project(self, latents: torch.Tensor) -> torch.Tensor:
        """(B,C,h,w) latents -> (B,h,w,P) channels-last keys|values|modulations."""
        return self.latent_proj(latents).permute(0, 2, 3, 1).contiguous()

    # ---- shared per-query core ---------------------------------------------------------
    def cell_embedding(self, cell: torch.Tensor) -> torch.Tensor:
        """cell: (...,2) output pixel size in LR pixels (y, x); clamped to the trained range."""
        return self.cell_proj(cell.clamp(min=self.cell_min))

    def _mix(self, gathered, pos) -> torch.Tensor:
        """Attention-weighted neighbour values. gathered: 4 x (...,P) neighbour projections;
        pos: 4 x (...,kd+dim) offset projections. Returns (...,dim)."""
        kd, h, dh = self.kd, self.heads, self.dim // self.heads
        scale = 1.0 / math.sqrt(self.key_dim)
        logits, values = [], []
        for g, p in zip(gathered, pos):
            k = g[..., :kd].unflatten(-1, (h, self.key_dim))
            q = p[..., :kd].unflatten(-1, (h, self.key_dim))
            logits.append((k * q).sum(-1) * scale)
            v = torch.addcmul(g[..., kd:kd + self.dim], g[..., kd + self.dim:], p[..., kd:])
            values.append(v.unflatten(-1, (h, dh)))
        weights = torch.softmax(torch.stack(logits, dim=-1), dim=-1)  # (...,heads,4)
        return sum(weights[..., i:i + 1] * values[i] for i in range(len(values))).flatten(-2)

    def _mix_separable(self, proj: torch.Tensor, iy: torch.Tensor, ix: torch.Tensor,
                       py: torch.Tensor, px: torch.Tensor) -> torch.Tensor:
        """``_mix`` for a grid via row/column tables and the fused kernel (see ``fused``)."""
        kd, h, kdim, dim = self.kd, self.heads, self.key_dim, self.dim
        scale = 1.0 / math.sqrt(kdim)
        row0, row1 = int(iy.min()), int(iy.max()) + 1
        rows = proj[iy]                                   # (2,Hc,w,P)
        cols = proj[row0:row1].index_select(1, ix.flatten()).unflatten(1, ix.shape).transpose(0, 1)
        qy, qx = py.unsqueeze(2), px.unsqueeze(1)         # (2,Hc,1,Q), (2,1,W,Q)
        row_t = torch.cat([(rows[..., :kd] * qy[..., :kd]).unflatten(-1, (h, kdim)).sum(-1) * scale,
                           torch.addcmul(rows[..., kd:kd + dim], rows[..., kd + dim:], qy[..., kd:])], -1)
        col_t = torch.cat([(cols[..., :kd] * qx[..., :kd]).unflatten(-1, (h, kdim)).sum(-1) * scale,
                           cols[..., kd + dim:] * qx[..., kd:]], -1)
        return torch.from_numpy(fused_kernel.mix(row_t.contiguous().numpy(), col_t.contiguous().numpy(),
                                                 iy.numpy(), ix.numpy(), row0, h))

    def _head(self, mixed: torch.Tensor, cell_emb: torch.Tensor) -> torch.Tensor:
        return self.mlp(mixed + cell_emb)

    # ---- arbitrary coordinates (training) ----------------------------------------------
    def query(self, proj: torch.Tensor, lr: torch.Tensor, coords: torch.Tensor,
              cell: torch.Tensor) -> torch.Tensor:
        """proj (B,h,w,P); lr (B,3,h,w); coords (B,N,2) as (y,x) in [0,1] of the image extent;
        cell (B,2) in LR pixels. Returns RGB (B,N,3)."""
        b, h, w, p_dim = proj.shape
        flat = proj.reshape(b, h * w, p_dim)
        u = coords[..., 0] * h - 0.5
        v = coords[..., 1] * w - 0.5
        y0, x0 = torch.floor(u), torch.floor(v)
        gathered, pos = [], []
        for a, c in NEIGHBOURS:
            iy = (y0 + a).clamp(0, h - 1)
            ix = (x0 + c).clamp(0, w - 1)
            idx = (iy * w + ix).long().unsqueeze(-1).expand(-1, -1, p_dim)
            gathered.append(torch.gather(flat, 1, idx))
            pos.append(self.pos_proj(torch.cat([self.fourier(u - iy), self.fourier(v - ix)], -1)))
        grid = torch.stack([coords[..., 1], coords[..., 0]], -1) * 2 - 1
        base = F.grid_sample(lr, grid.unsqueeze(1), mode="bicubic", padding_mode="border",
                             align_corners=False)[:, :, 0].transpose(1, 2)
        return base + self._head(self._mix(gathered, pos), self.cell_embedding(cell).unsqueeze(1))

    # ---- regular output grid (inference) -----------------------------------------------
    def render_grid(self, proj: torch.Tensor, lr: torch.Tensor, u: torch.Tensor, v: torch.Tensor,
                    cell: torch.Tensor, fused: bool | None = None) -> torch.Tensor:
        """Decode the grid of rows ``u`` x columns ``v`` (continuous LR pixel-index coordinates,
        pixel centres at integers) for a single image. proj (1,h,w,P); lr (1,3,h,w);
        cell (2,). Returns RGB (len(u), len(v), 3), not clamped.

        The offset features are separable (rows x columns), so their projections are computed
        per row and per column.  ``fused`` selects the numba mixing kernel (default: when
        available, on CPU, in float32 without autograd)."""
        _, h, w, _ = proj.shape
        fd = self.fourier.dim
        w_y, w_x = self.pos_proj.weight[:, :fd], self.pos_proj.weight[:, fd:]
        y0, x0 = torch.floor(u), torch.floor(v)
        iy = torch.stack([(y0 + a).clamp(0, h - 1) for a in (0, 1)])          # (2,Hc)
        ix = torch.stack([(x0 + a).clamp(0, w - 1) for a in (0, 1)])          # (2,W)
        py = self.fourier(u.unsqueeze(0) - iy) @ w_y.T                        # (2,Hc,Q)
        px = self.fourier(v.unsqueeze(0) - ix) @ w_x.T + self.pos_proj.bias   # (2,W,Q)
        iy, ix = iy.long(), ix.long()
        if fused is None:
            fused = (fused_kernel.available() and proj.device.type == "cpu"
                     and proj.dtype == torch.float32 and py.dtype == torch.float32
                     and not torch.is_grad_enabled())
        if fused:
            mixed = self._mix_separable(proj[0], iy, ix, py, px)
        else:
            gathered, pos = [], []
            for a, c in NEIGHBOURS:
                gathered.append(proj[0].index_select(0, iy[a]).index_select(1, ix[c]))
                pos.append(py[a].unsqueeze(1) + px[c].unsqueeze(0))
            mixed = self._mix(gathered, pos)
        gy = ((u + 0.5) / h * 2 - 1).view(-1, 1).expand(-1, v.numel())
        gx = ((v + 0.5) / w * 2 - 1).view(1, -1).expand(u.numel(), -1)
        base = F.grid_sample(lr, torch.stack([gx, gy], -1).unsqueeze(0), mode="bicubic",
                             padding_mode="border", align_corners=False)[0].permute(1, 2, 0)
        return base + self._head(mixed, self.cell_embedding(cell))
