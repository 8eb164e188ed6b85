"""Diagnostics for realism (GAN) weights: where their PSNR cost goes, and LR-grid patterns.

    python -m train.diagnose --realism runs/ganH/step-17000 [--fidelity weights/fidelity]
                             [--data ../shared/data/val/Set14] [--scale 4] [--sigma 2]

For each image (the evaluation protocol of ``sr_model.evaluate``) it reports, averaged:

- PSNR / detail of the fidelity and the realism output, and of the realism output with its coarse
  band (Gaussian ``--sigma``) replaced by the fidelity model's. If that swap gains much PSNR and
  loses little detail, the GAN spends PSNR on coarse changes that buy no detail (what
  ``train.gan --w-low`` is for).
- the LR-grid pattern: ``train.gan.grid_peak`` of SR minus that of HR on the largest centred
  square crop, times 1020, which is the amplitude in grey levels of an equivalent pattern along one
  axis (what ``train.gan --w-grid`` penalises).
"""
from __future__ import annotations

import argparse

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter

from sr_model.evaluate import degrade, list_images, score
from sr_model.imaging import to_tensor
from sr_model.model import SRModel
from train.common import model_upscaler
from train.gan import grid_peak
from train.train import DATA


def to_image(x: np.ndarray) -> Image.Image:
    return Image.fromarray((np.clip(x, 0, 1) * 255).round().astype(np.uint8))


def grid_excess(sr: Image.Image, hr: Image.Image, scale: int) -> float:
    """LR-grid peak of SR beyond HR's on the largest centred square (side a multiple of scale)."""
    side = min(hr.size) // scale * scale
    x0, y0 = (hr.width - side) // 2 // scale * scale, (hr.height - side) // 2 // scale * scale
    box = (x0, y0, x0 + side, y0 + side)
    cells = side // scale
    return 1020 * float(grid_peak(to_tensor(sr.crop(box)), cells) - grid_peak(to_tensor(hr.crop(box)), cells))


def diagnose(fidelity: SRModel, realism: SRModel, folder: str, scale: int, sigma: float) -> dict:
    fid, gan = model_upscaler(fidelity.eval()), model_upscaler(realism.eval())
    rows = []
    for path in list_images(folder):
        hr, lr = degrade(Image.open(path).convert("RGB"), scale)
        f_im, g_im = fid(lr, hr.size), gan(lr, hr.size)
        f, g = (np.asarray(im, np.float64) / 255 for im in (f_im, g_im))
        blur = (sigma, sigma, 0)
        swapped = to_image(gaussian_filter(f, blur) + g - gaussian_filter(g, blur))
        rows.append({"fidelity": score(f_im, hr, scale), "realism": score(g_im, hr, scale),
                     "swapped": score(swapped, hr, scale),
                     "grid": {"fidelity": grid_excess(f_im, hr, scale), "realism": grid_excess(g_im, hr, scale)}})
    mean = lambda key, k: float(np.mean([r[key][k] for r in rows]))  # noqa: E731
    return {name: {k: mean(name, k) for k in ("psnr", "grad")} for name in ("fidelity", "realism", "swapped")} | {
        "grid": {k: mean("grid", k) for k in ("fidelity", "realism")}}


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--realism", required=True, help="folder with config.json + model.safetensors")
    p.add_argument("--fidelity", default="weights/fidelity")
    p.add_argument("--data", default=str(DATA / "val" / "Set14"))
    p.add_argument("--scale", type=int, default=4)
    p.add_argument("--sigma", type=float, default=2.0)
    args = p.parse_args(argv)
    r = diagnose(SRModel.load_folder(args.fidelity), SRModel.load_folder(args.realism), args.data,
                 args.scale, args.sigma)
    print(f"{args.data} x{args.scale}, PSNR / detail")
    print(f"  fidelity                        {r['fidelity']['psnr']:.3f} / {r['fidelity']['grad']:.3f}")
    print(f"  realism                         {r['realism']['psnr']:.3f} / {r['realism']['grad']:.3f}")
    print(f"  realism, coarse band (sigma {args.sigma:g}) from fidelity  "
          f"{r['swapped']['psnr']:.3f} / {r['swapped']['grad']:.3f}")
    print(f"LR-grid pattern beyond HR (grey levels): fidelity {r['grid']['fidelity']:.3f}, "
          f"realism {r['grid']['realism']:.3f}")


if __name__ == "__main__":
    main()
