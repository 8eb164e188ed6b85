"""Shared fixtures: the shipped upscaler, a randomly initialised model, synthetic images."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def upscaler():
    from sr_model import load_model
    return load_model(device="cpu")


@pytest.fixture(scope="session")
def random_model():
    """A model with non-trivial random weights (the zero-initialised head perturbed)."""
    from sr_model.model import SRModel
    torch.manual_seed(0)
    m = SRModel().eval()
    with torch.no_grad():
        for p in m.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    return m


def photo(w: int = 96, h: int = 80, seed: int = 0, mode: str = "RGB") -> Image.Image:
    """A small photo-like test image (crop of an example photo, resized)."""
    im = Image.open(EXAMPLES / "chelsea.png").convert("RGB")
    rng = np.random.default_rng(seed)
    x, y = int(rng.integers(0, im.width - 200)), int(rng.integers(0, im.height - 150))
    return im.crop((x, y, x + 200, y + 150)).resize((w, h), Image.BICUBIC).convert(mode)
