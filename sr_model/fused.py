"""Fused CPU kernel for the grid decoder's neighbour mixing (numba).

For neighbour n = (a, b) of output pixel (r, c) the attention logit and value are
``<K, qy_a(r) + qx_b(c)>`` and ``V + M * (qy_a(r) + qx_b(c))``; both split exactly into a row
term ``<K, qy>``, ``V + M*qy`` (depends on the output row and an LR column, so it is computed at
output-rows x LR-columns resolution) and a column term ``<K, qx>``, ``M*qx`` (LR rows x output
columns).  PyTorch computes those two small tables; this kernel then does, per output pixel,
four table reads, a 4-way softmax per head and the weighted sum, in a single pass.  The result
equals ``ImplicitGenerator._mix`` (tests compare the two).  ``available()`` is False when numba
is missing; callers then use the eager path.
"""
from __future__ import annotations

import numpy as np

try:  # numba is an accelerator, not a requirement for correctness
    from numba import njit, prange
except ImportError:  # pragma: no cover - exercised only without numba
    njit = None


def available() -> bool:
    return njit is not None


if njit is not None:
    @njit(parallel=True, fastmath=True, cache=True)
    def _mix_kernel(row_t, col_t, iy, ix, row0, heads, out):  # pragma: no cover - jitted
        hc, wc, dim = out.shape
        dh = dim // heads
        for r in prange(hc):
            wts = np.empty((4, heads), np.float32)
            wexp = np.empty(dim, np.float32)   # per-channel weight (head weight repeated)
            acc = np.empty(dim, np.float32)
            for c in range(wc):
                for n in range(4):
                    pa = row_t[n >> 1, r, ix[n & 1, c]]
                    pb = col_t[n & 1, iy[n >> 1, r] - row0, c]
                    for hh in range(heads):
                        wts[n, hh] = pa[hh] + pb[hh]
                for hh in range(heads):
                    m = max(max(wts[0, hh], wts[1, hh]), max(wts[2, hh], wts[3, hh]))
                    tot = np.float32(0.0)
                    for n in range(4):
                        e = np.exp(wts[n, hh] - m)
                        wts[n, hh] = e
                        tot += e
                    inv = np.float32(1.0) / tot
                    for n in range(4):
                        wts[n, hh] *= inv
                for d in range(dim):
                    acc[d] = 0.0
                for n in range(4):
                    pa = row_t[n >> 1, r, ix[n & 1, c]][heads:]
                    pb = col_t[n & 1, iy[n >> 1, r] - row0, c][heads:]
                    for hh in range(heads):
                        for j in range(dh):
                            wexp[hh * dh + j] = wts[n, hh]
                    for d in range(dim):     # flat loops from 0 let LLVM vectorise
                        acc[d] += wexp[d] * (pa[d] + pb[d])
                o = out[r, c]
                for d in range(dim):
                    o[d] = acc[d]


def mix(row_t: np.ndarray, col_t: np.ndarray, iy: np.ndarray, ix: np.ndarray, row0: int,
        heads: int) -> np.ndarray:
    """row_t (2,Hc,w,heads+dim): per (a, output row, LR column) scaled logits | V + M*qy;
    col_t (2,hr,W,heads+dim): per (b, LR row - row0, output column) scaled logits | M*qx;
    iy (2,Hc) / ix (2,W) int64 neighbour rows/cols. Returns mixed values (Hc,W,dim) f32."""
    dim = row_t.shape[-1] - heads
    out = np.empty((iy.shape[1], ix.shape[1], dim), np.float32)
    _mix_kernel(row_t, col_t, iy, ix, row0, heads, out)
    return out
