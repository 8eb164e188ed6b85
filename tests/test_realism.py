"""Realism control: blend endpoints equal the two models, the blend is in between, and the
shipped realism model keeps flat and smoothly graded regions flat (no checkerboard/colour cast)
and adds no pattern that repeats with the LR pixel grid on real photos."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from conftest import EXAMPLES, photo
from sr_model import InputError, Upscaler
from sr_model.model import SRModel


@pytest.fixture(scope="module")
def pair():
    torch.manual_seed(0)
    a, b = SRModel().eval(), SRModel().eval()
    with torch.no_grad():
        for m in (a, b):
            for p in m.parameters():
                p.add_(torch.randn_like(p) * 0.05)
    return a, b


def test_blend_endpoints_and_midpoint(pair):
    a, b = pair
    up = Upscaler(a, b, device="cpu")
    only_a, only_b = Upscaler(a, device="cpu"), Upscaler(b, device="cpu")
    img = photo(40, 30)
    r0 = np.asarray(up.upscale(img, scale=2, realism=0.0))
    r1 = np.asarray(up.upscale(img, scale=2, realism=1.0))
    assert np.array_equal(r0, np.asarray(only_a.upscale(img, scale=2)))
    assert np.array_equal(r1, np.asarray(only_b.upscale(img, scale=2)))
    mid = up.model_for(0.5)
    for k, v in mid.state_dict().items():
        if v.is_floating_point():
            torch.testing.assert_close(v, (a.state_dict()[k] + b.state_dict()[k]) / 2)
    assert not np.array_equal(r0, r1)


def test_realism_range_checked(pair):
    up = Upscaler(pair[0], pair[1], device="cpu")
    for bad in (-0.1, 1.5, float("nan")):
        with pytest.raises(InputError):
            up.upscale(photo(), scale=2, realism=bad)
    with pytest.raises(InputError):
        Upscaler(pair[0], device="cpu").upscale(photo(), scale=2, realism=0.5)


def test_shipped_realism_keeps_flat_regions_flat(upscaler):
    assert upscaler.has_realism, "weights/realism is missing"
    flat = Image.new("RGB", (48, 48), (118, 140, 96))
    out = np.asarray(upscaler.upscale(flat, scale=4, realism=1.0), np.float64)
    assert np.abs(out - np.array([118, 140, 96])).max() <= 2  # no texture, no colour shift
    ramp = np.linspace(40, 200, 48)[None, :, None] * np.array([1.0, 0.8, 0.6])
    grad_img = Image.fromarray(np.broadcast_to(ramp, (48, 48, 3)).round().astype(np.uint8))
    out = np.asarray(upscaler.upscale(grad_img, scale=4, realism=1.0), np.float64)[8:-8, 8:-8]
    ref = np.asarray(grad_img.resize((192, 192), Image.BICUBIC), np.float64)[8:-8, 8:-8]
    assert np.abs(out - ref).max() <= 4      # stays a smooth ramp
    assert np.abs(np.diff(out, axis=0)).max() <= 3  # no vertical texture on a horizontal ramp


def test_shipped_realism_adds_no_lr_grid_pattern(upscaler):
    """An implicit decoder can leave a faint pattern that repeats once per LR pixel (seams where
    the neighbour set changes); GAN training amplifies it. Measured by train.diagnose.grid_excess:
    the spectral peak at the LR-grid frequency beyond the original's, in grey levels. Our earlier
    realism weights measured 1.46 on the cat photo; the fidelity model and the shipped weights < 0.1."""
    from train.diagnose import grid_excess
    for name in ("astronaut", "chelsea", "coffee", "rocket", "camera"):
        hr = Image.open(EXAMPLES / f"{name}.png").convert("RGB").crop((0, 0, 256, 256))
        sr = upscaler.upscale(hr.resize((64, 64), Image.BICUBIC), size=hr.size, realism=1.0)
        excess = grid_excess(sr, hr, 4)
        assert excess < 0.5, f"{name}: LR-grid pattern of {excess:.2f} grey levels"
