"""The super-resolution network: encoder + implicit generator, saved as config.json +
model.safetensors through huggingface_hub's ``PyTorchModelHubMixin`` (no pickle anywhere).
"""
from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import load_model as load_safetensors
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from .encoder import Encoder
from .generator import ImplicitGenerator


class SRModel(nn.Module, PyTorchModelHubMixin, library_name="sr_model",
              tags=["super-resolution", "implicit-neural-representation", "arbitrary-scale"],
              license="mit"):
    """Arbitrary-scale SR model. Constructor arguments form config.json."""

    def __init__(self, enc_width: int = 64, enc_blocks: int = 6, latent_dim: int = 64,
                 dim: int = 64, heads: int = 4, key_dim: int = 8, hidden: int = 64,
                 bands: int = 6, min_freq: float = 0.5, max_freq: float = 16.0,
                 cell_min: float = 0.25):
        super().__init__()
        self.encoder = Encoder(enc_width, enc_blocks, latent_dim)
        self.generator = ImplicitGenerator(latent_dim, dim, heads, key_dim, hidden, bands,
                                           min_freq, max_freq, cell_min)

    @classmethod
    def load_folder(cls, folder: str | Path) -> "SRModel":
        """Load config.json + model.safetensors from a local folder (safetensors only)."""
        folder = Path(folder)
        model = cls(**json.loads((folder / "config.json").read_text()))
        load_safetensors(model, str(folder / "model.safetensors"), strict=True)
        return model

    @property
    def halo(self) -> int:
        """LR context a tile needs so its features equal untiled ones: encoder receptive
        radius + 1 for the 2x2 neighbour gather + 2 for the bicubic base."""
        return self.encoder.receptive_radius + 3

    def features(self, lr: torch.Tensor) -> torch.Tensor:
        """(B,3,h,w) in [0,1] -> per-LR-pixel projections (B,h,w,P)."""
        return self.generator.project(self.encoder(lr))

    def forward(self, lr: torch.Tensor, coords: torch.Tensor, cell: torch.Tensor) -> torch.Tensor:
        """Training entry: RGB at arbitrary coords (B,N,2) in [0,1], cell (B,2) in LR pixels."""
        return self.generator.query(self.features(lr), lr, coords, cell)
