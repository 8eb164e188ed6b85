"""Model card and Hugging Face Hub publishing for a weights bundle.

A bundle is the folder ``load_model`` reads: ``fidelity/`` and ``realism/`` (each config.json +
model.safetensors), plus ``metrics.json`` (written by ``python -m sr_model eval --json``) and
optional ``samples/*.png``.  ``--push-to-hub`` stages a copy with a generated README.md (model
card) in a temporary folder and uploads it; the local bundle is never modified.

    python -m train.hub --bundle weights --push-to-hub user/any-size-sr
    python -m train.hub --bundle weights --card-only        # (re)write weights/README.md
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from sr_model.evaluate import format_table

CARD_HEADER = """---
library_name: sr_model
license: mit
pipeline_tag: image-to-image
tags:
- super-resolution
- arbitrary-scale-super-resolution
- implicit-neural-representation
- gan
datasets:
- BSDS400
---
"""


def render_card(bundle: Path) -> str:
    metrics_path = bundle / "metrics.json"
    if not metrics_path.exists():
        raise FileNotFoundError(f"{metrics_path} is missing: run `python -m sr_model eval ... --json "
                                f"{metrics_path}` first (the card only reports measured numbers)")
    metrics = json.loads(metrics_path.read_text())
    has_realism = (bundle / "realism" / "config.json").exists()
    cfg = json.loads((bundle / "fidelity" / "config.json").read_text())
    parts = [CARD_HEADER, "# Any-size super-resolution (implicit neural representation, CPU-first)\n",
             "Upscales a photo to **any** output size (x2.7, exactly 1920x1080, ...). A small residual CNN "
             "encodes the low-resolution image; an implicit decoder predicts RGB at any continuous "
             "coordinate from the 2x2 nearest latents with locality-aware attention, multi-band Fourier "
             "features of the offset and pixel-size (cell) conditioning, as a residual over bicubic.\n",
             "## Models in this repository\n",
             "- `fidelity/`: trained with an L1 pixel loss (faithful, best PSNR).",
             "- `realism/`: fine-tuned from `fidelity/` with L1, L1 between Gaussian-blurred SR and HR (keeps "
             "coarse structure faithful so the added texture sits in the finest band), local detail-energy "
             "matching (8x8-pooled gradient magnitudes of SR vs HR), image-gradient L1, a penalty on "
             "patterns that repeat with the LR pixel grid (FFT peak at the grid frequency beyond HR's), a "
             "spectral-norm patch discriminator (hinge loss) and discriminator feature matching (crisper "
             "texture)."
             if has_realism else "", "",
             f"Config: `{json.dumps(cfg)}`\n",
             "## Usage\n", "```python\nfrom sr_model import load_model\n"
             "up = load_model(\"<this repo id>\")\nout = up.upscale(img, scale=2.7, realism=0.5)\n```\n",
             "## Training data\n",
             "BSDS400 (400 natural photos) only. Random LR crops, one scale per batch drawn from U(1, 4), "
             "fresh random query coordinates every batch. Set5 and Set14 were never trained on; Set5 x4 was the "
             "validation set during training, and Set14 x4 was also used to compare GAN loss settings and "
             "to choose the GAN stage to ship (so its realism numbers are not blind).\n",
             "## Evaluation (measured)\n",
             "Protocol: HR cropped to a multiple of the scale, LR = Pillow bicubic, RGB PSNR with `scale` "
             "border pixels removed, SSIM, and detail = mean|grad SR| / mean|grad HR| (1.0 = as much "
             f"detail as the original). Command: `{metrics.get('command', '?')}`\n"]
    for name, d in metrics["datasets"].items():
        parts += [format_table(d["results"], f"### {name} ({d['images']} images)\n"), ""]
    samples = sorted((bundle / "samples").glob("*.png")) if (bundle / "samples").is_dir() else []
    if samples:
        parts += ["## Samples\n", "Centre crops, x4: LR (nearest) | bicubic | fidelity | realism | HR.\n"]
        parts += [f"![{p.stem}](samples/{p.name})" for p in samples]
    return "\n".join(parts) + "\n"


def stage(bundle: Path, dest: Path) -> Path:
    for sub in ("fidelity", "realism", "samples"):
        if (bundle / sub).is_dir():
            shutil.copytree(bundle / sub, dest / sub)
    shutil.copy2(bundle / "metrics.json", dest / "metrics.json")
    (dest / "README.md").write_text(render_card(bundle))
    return dest


def push(bundle: Path, repo_id: str, token: str | None = None) -> str:
    """Upload a staged copy of ``bundle`` to ``repo_id``; returns the commit URL."""
    from huggingface_hub import HfApi
    api = HfApi(token=token)
    with tempfile.TemporaryDirectory() as tmp:
        staged = stage(bundle, Path(tmp))
        api.create_repo(repo_id, repo_type="model", exist_ok=True)
        info = api.upload_folder(folder_path=str(staged), repo_id=repo_id, repo_type="model",
                                 commit_message="Upload any-size SR weights and model card")
    return str(getattr(info, "commit_url", info))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bundle", default="weights")
    p.add_argument("--push-to-hub", metavar="REPO_ID", default=None)
    p.add_argument("--token", default=None, help="default: HF_TOKEN or the cached login")
    p.add_argument("--card-only", action="store_true", help="write BUNDLE/README.md and stop")
    args = p.parse_args(argv)
    bundle = Path(args.bundle)
    try:
        card = render_card(bundle)
    except FileNotFoundError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.card_only or not args.push_to_hub:
        (bundle / "README.md").write_text(card)
        print(f"wrote {bundle / 'README.md'}")
        return 0
    try:
        url = push(bundle, args.push_to_hub, args.token)
    except Exception as e:  # offline, bad token, no permission: one clear line, files intact
        reason = str(e).splitlines()[0][:200] if str(e) else type(e).__name__
        print(f"error: could not push to the Hugging Face Hub ({type(e).__name__}: {reason}); "
              f"local files in {bundle} are unchanged", file=sys.stderr)
        return 2
    print(f"pushed {bundle} to https://huggingface.co/{args.push_to_hub} ({url})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
