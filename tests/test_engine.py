"""Engine: sizes, tiling invariance, the fused kernel and the training/inference paths agree."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from conftest import photo
from sr_model import InputError
from sr_model.generator import ImplicitGenerator
from sr_model.tiling import render


@pytest.mark.parametrize("kwargs,expected", [
    (dict(scale=2.7), (259, 216)),                 # 96x80 * 2.7 = 259.2 x 216
    (dict(size=(333, 150)), (333, 150)),           # non-uniform, aspect changes
    (dict(size=(97, 401)), (97, 401)),             # odd sizes
    (dict(scale=1.0), (96, 80)),
    (dict(scale=0.5), (48, 40)),                   # plain downscale
    (dict(size=(300, 40)), (300, 40)),             # one axis up, one down
])
def test_any_output_size(upscaler, kwargs, expected):
    assert upscaler.upscale(photo(), **kwargs).size == expected


@pytest.mark.parametrize("size", [(1, 1), (1, 9), (9, 1), (3, 2)])
def test_tiny_inputs(upscaler, size):
    img = photo().resize(size)
    out = upscaler.upscale(img, scale=3.3)
    assert out.size == (round(size[0] * 3.3), round(size[1] * 3.3))


def test_tiled_equals_untiled(upscaler):
    img = photo(150, 130, seed=1)
    full = np.asarray(upscaler.upscale(img, scale=3, tile=10_000), dtype=np.int16)
    for tile in (64, 37):
        tiled = np.asarray(upscaler.upscale(img, scale=3, tile=tile), dtype=np.int16)
        assert np.abs(full - tiled).max() <= 1, f"tile={tile} differs by more than 1/255"


def test_tiling_covers_every_pixel_once(random_model):
    """Tiles partition the output: decoded areas sum to H*W and every pixel is written."""
    lr = torch.rand(1, 3, 23, 17)
    areas = []

    def decode(proj, crop, u, v, cell):
        areas.append(len(u) * len(v))
        return torch.ones(len(u), len(v), 3)

    out = render(random_model, lr, 71, 40, tile=5, decode=decode)
    assert sum(areas) == 71 * 40
    assert out.shape == (71, 40, 3) and (out == 255).all()


def test_fused_kernel_matches_eager(random_model):
    from sr_model import fused
    if not fused.available():
        pytest.skip("numba not installed")
    g: ImplicitGenerator = random_model.generator
    lr = torch.rand(1, 3, 19, 23)
    with torch.no_grad():
        proj = random_model.features(lr)
        u = (torch.arange(57) + 0.5) * 19 / 57 - 0.5
        v = (torch.arange(41) + 0.5) * 23 / 41 - 0.5
        cell = torch.tensor([19 / 57, 23 / 41])
        a = g.render_grid(proj, lr, u, v, cell, fused=False)
        b = g.render_grid(proj, lr, u, v, cell, fused=True)
    assert a.abs().mean() > 0.1
    torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)


def test_grid_path_matches_training_path(random_model):
    """render_grid (inference) computes the same function as query (training)."""
    lr = torch.rand(1, 3, 12, 15)
    H, W = 31, 44
    with torch.no_grad():
        proj = random_model.features(lr)
        u = (torch.arange(H) + 0.5) * 12 / H - 0.5
        v = (torch.arange(W) + 0.5) * 15 / W - 0.5
        cell = torch.tensor([12 / H, 15 / W])
        grid = random_model.generator.render_grid(proj, lr, u, v, cell, fused=False)
        yy, xx = torch.meshgrid((torch.arange(H) + 0.5) / H, (torch.arange(W) + 0.5) / W, indexing="ij")
        coords = torch.stack([yy, xx], -1).view(1, -1, 2)
        q = random_model(lr, coords, cell.view(1, 2)).view(H, W, 3)
    torch.testing.assert_close(grid, q, atol=1e-5, rtol=1e-5)


def test_model_starts_as_bicubic():
    """Zero-initialised residual head: an untrained model reproduces bicubic exactly."""
    from sr_model.model import SRModel
    m = SRModel().eval()
    lr = torch.rand(1, 3, 16, 16)
    with torch.no_grad():
        out = torch.from_numpy(render(m, lr, 64, 64)).float()
        ref = torch.nn.functional.interpolate(lr, size=(64, 64), mode="bicubic", align_corners=False)
    ref = (ref.clamp(0, 1) * 255).round()[0].permute(1, 2, 0)
    assert (out - ref).abs().max() <= 1


@pytest.mark.parametrize("kwargs", [dict(scale=0), dict(scale=-2), dict(scale=float("nan")),
                                    dict(scale=float("inf")), dict(size=(0, 10)), dict(size=(10, -1)),
                                    dict(scale=2, size=(4, 4)), dict(), dict(scale=10_000)])
def test_bad_requests_raise_input_error(upscaler, kwargs):
    with pytest.raises(InputError):
        upscaler.upscale(photo(), **kwargs)


def test_device_selection():
    from sr_model import resolve_device
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device(None).type in ("cpu", "cuda", "mps")
    with pytest.raises(InputError):
        resolve_device("tpu")
