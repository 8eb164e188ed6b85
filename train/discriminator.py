"""Patch discriminator with spectral normalisation (judges local realism of HR crops).

Returns per-patch logits and its intermediate feature maps (for the feature-matching loss,
our stand-in for a perceptual loss since no pretrained VGG is available offline).
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm


class PatchDiscriminator(nn.Module):
    def __init__(self, width: int = 32):
        super().__init__()
        w = width
        specs = [(3, w, 1), (w, 2 * w, 2), (2 * w, 4 * w, 2), (4 * w, 4 * w, 1)]
        self.blocks = nn.ModuleList(
            nn.Sequential(spectral_norm(nn.Conv2d(cin, cout, 3, stride, 1)), nn.LeakyReLU(0.2, True))
            for cin, cout, stride in specs)
        self.head = spectral_norm(nn.Conv2d(4 * w, 1, 3, 1, 1))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        feats = []
        h = x * 2 - 1
        for block in self.blocks:
            h = block(h)
            feats.append(h)
        return self.head(h), feats
