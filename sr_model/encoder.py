"""Low-resolution feature extractor: a small residual CNN (EDSR-style, no batch norm).

Everything here runs once per *low-resolution* pixel, so its cost does not grow with the
output size. ``receptive_radius`` tells the tiler how many LR pixels of context one
feature depends on, so tiles can carry a halo that makes tiled features exact.
"""
from __future__ import annotations

import torch
from torch import nn


class ResBlock(nn.Module):
    """conv-ReLU-conv with an identity skip and a fixed residual scale."""

    def __init__(self, channels: int, res_scale: float = 1.0):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)
        self.act = nn.ReLU(inplace=True)
        self.res_scale = res_scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.res_scale * self.conv2(self.act(self.conv1(x)))


class Encoder(nn.Module):
    """Maps an RGB image in [0, 1] (B,3,h,w) to latents (B,out_channels,h,w)."""

    def __init__(self, width: int = 48, blocks: int = 6, out_channels: int = 64):
        super().__init__()
        self.head = nn.Conv2d(3, width, 3, padding=1)
        self.body = nn.Sequential(*[ResBlock(width) for _ in range(blocks)])
        self.body_tail = nn.Conv2d(width, width, 3, padding=1)
        self.tail = nn.Conv2d(width, out_channels, 3, padding=1)
        self.blocks = blocks
        # Fixed per-channel normalisation of the input (natural-image statistics).
        self.register_buffer("mean", torch.tensor([0.45, 0.44, 0.40]).view(1, 3, 1, 1), persistent=False)

    @property
    def receptive_radius(self) -> int:
        """LR pixels of context on each side that one output feature depends on."""
        return 2 * self.blocks + 3  # head + 2 per block + body_tail + tail, each 3x3

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.head(x - self.mean)
        x = x + self.body_tail(self.body(x))
        return self.tail(x)
