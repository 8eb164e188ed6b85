"""The shipped fidelity model beats bicubic on photos it never saw (the repo's examples,
not used in training), under the README's evaluation protocol."""
from __future__ import annotations

from sr_model.evaluate import bicubic, evaluate

from conftest import EXAMPLES


def test_beats_bicubic_on_unseen_photos(upscaler):
    paths = [EXAMPLES / n for n in ("chelsea.png", "coffee.png", "rocket.png")]
    model = lambda lr, size: upscaler.upscale(lr, size=size)  # noqa: E731
    res = evaluate({"bicubic": bicubic, "model": model}, paths, [2, 4])
    for scale, margin in ((2, 1.0), (4, 0.5)):
        r = res[scale]
        assert r["model"]["psnr"] >= r["bicubic"]["psnr"] + margin, (scale, r)
        assert r["model"]["ssim"] > r["bicubic"]["ssim"]
        assert r["model"]["grad"] > r["bicubic"]["grad"]  # restores detail, not just smooths
