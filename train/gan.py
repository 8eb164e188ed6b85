"""GAN fine-tuning of the realism model, starting from the fidelity weights.

    python -m train.gan --init weights/fidelity --out runs/gan --steps 1500
    torchrun --nproc_per_node 2 -m train.gan ...        # same script, 2 processes (gloo on CPU)
    accelerate launch -m train.gan ...                  # or one/many GPUs

Each step draws one scale s ~ U(1, 4) for the batch, renders the whole HR crop with the
generator (so the discriminator sees images) and optimises

    L_G = w_l1 * L1 + w_low * L1(lowpass SR, lowpass HR) + w_energy * local detail-energy matching
          + w_grid * LR-grid spectral peak + w_grad * L1(grad SR, grad HR) + w_adv * hinge_G
          + w_fm * discriminator feature matching
    L_D = hinge(D(HR), D(SR))

with a spectrally normalised patch discriminator. The generator's EMA is what gets
validated and exported. Every ``--val-every`` steps: Set5 x4 PSNR and gradient-energy ratio,
logged to ``OUT/log.csv`` and ``OUT/metrics.jsonl``, a sample grid PNG (LR | bicubic |
fidelity | realism | HR) in ``OUT/samples/`` and the EMA weights in ``OUT/step-N/``.
Checkpoints (safetensors + JSON) in ``OUT/ckpt`` are resumed automatically.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from accelerate import Accelerator
from PIL import Image
from tqdm import tqdm

from sr_model.evaluate import degrade, list_images
from sr_model.model import SRModel
from train import checkpoint
from train.common import EMA, CSVLog, export, model_upscaler, validate
from train.data import RandomScaleSampler, grid_coords, load_images
from train.discriminator import PatchDiscriminator
from train.train import DATA


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=str(DATA / "train" / "bsds400"))
    p.add_argument("--val", default=str(DATA / "val" / "Set5"))
    p.add_argument("--init", default="weights/fidelity", help="fidelity weights to start from")
    p.add_argument("--out", default="runs/gan")
    p.add_argument("--steps", type=int, default=1500, help="total steps, counted from the first run")
    p.add_argument("--resume-from", metavar="RUN", default=None,
                   help="when OUT has no checkpoint yet, continue from RUN/ckpt (a new stage of a "
                        "longer schedule, e.g. with changed loss weights)")
    p.add_argument("--batch", type=int, default=4, help="per process")
    p.add_argument("--lr-size", type=int, default=24)
    p.add_argument("--lr-g", type=float, default=1e-4)
    p.add_argument("--lr-d", type=float, default=2e-4)
    p.add_argument("--w-l1", type=float, default=1.0)
    p.add_argument("--w-low", type=float, default=0.0,
                   help="extra L1 on Gaussian-blurred images: keeps coarse structure on the fidelity "
                        "estimate so texture goes into the finest band, where it costs least PSNR")
    p.add_argument("--low-sigma", type=float, default=1.5)
    p.add_argument("--w-grid", type=float, default=0.0,
                   help="weight of the LR-grid spectral-peak penalty (see grid_loss)")
    p.add_argument("--w-grad", type=float, default=0.0)
    p.add_argument("--w-energy", type=float, default=2.0)
    p.add_argument("--w-adv", type=float, default=0.05)
    p.add_argument("--w-fm", type=float, default=1.0)
    p.add_argument("--d-width", type=int, default=32)
    p.add_argument("--val-every", type=int, default=200)
    p.add_argument("--ckpt-every", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-bf16", action="store_true")
    p.add_argument("--push-to-hub", metavar="REPO_ID", default=None,
                   help="after training, upload the bundle (see train.hub) to this Hub repo")
    return p.parse_args(argv)


def image_grad(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return x[..., 1:, :] - x[..., :-1, :], x[..., :, 1:] - x[..., :, :-1]


def gradient_loss(sr: torch.Tensor, hr: torch.Tensor) -> torch.Tensor:
    (sy, sx), (hy, hx) = image_grad(sr), image_grad(hr)
    return (sy - hy).abs().mean() + (sx - hx).abs().mean()


def lowpass(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur (reflect padding) of a (B,C,H,W) batch."""
    r = max(1, int(3 * sigma + 0.5))
    t = torch.arange(-r, r + 1, dtype=x.dtype, device=x.device)
    k = torch.exp(-0.5 * (t / sigma) ** 2)
    k = (k / k.sum()).repeat(x.shape[1], 1)
    x = F.conv2d(F.pad(x, (r, r, 0, 0), mode="reflect"), k[:, None, None, :], groups=x.shape[1])
    return F.conv2d(F.pad(x, (0, 0, r, r), mode="reflect"), k[:, None, :, None], groups=x.shape[1])


def energy_loss(sr: torch.Tensor, hr: torch.Tensor, window: int = 8) -> torch.Tensor:
    """Local detail-energy matching: L1 between window-averaged gradient magnitudes of SR and
    HR. It asks for as much detail as the original in each region (zero where HR is flat)
    without demanding pixel alignment, which is what pixel losses blur away."""
    def energy(x):
        gy, gx = image_grad(x)
        mag = gy[..., :, :-1].abs() + gx[..., :-1, :].abs()
        return F.avg_pool2d(mag.mean(1, keepdim=True), window, stride=window // 2)
    return (energy(sr) - energy(hr)).abs().mean()


def grid_peak(x: torch.Tensor, cells: int) -> torch.Tensor:
    """Per-image spectral peak at the LR pixel grid: a (B,C,H,W) crop spans exactly ``cells`` LR
    pixels, so a pattern repeating once per LR pixel lands in FFT bin ``cells`` (and multiples).
    Returns, per image, the mean |FFT| at those bins minus that of the neighbouring bins, over rows
    and columns (0 when the crop holds no full grid harmonic, i.e. scale < 2)."""
    n = x.shape[-1]
    bins = [k * cells for k in range(1, n) if k * cells + 1 <= n // 2]
    if not bins:
        return x.new_zeros(x.shape[0])
    x = x - x.mean((-2, -1), keepdim=True)
    mag = torch.cat([torch.fft.rfft(x, dim=-1).abs(), torch.fft.rfft(x.transpose(-2, -1), dim=-1).abs()], -2)
    mag = mag.mean((1, 2)) / n  # (B, n//2+1), averaged over channels and lines
    idx = torch.tensor(bins, device=x.device)
    return (mag[:, idx] - 0.5 * (mag[:, idx - 1] + mag[:, idx + 1])).mean(1)


def grid_loss(sr: torch.Tensor, hr: torch.Tensor, cells: int) -> torch.Tensor:
    """Penalise LR-grid-periodic structure the HR crop does not have (INR seams, checkerboard)."""
    return F.relu(grid_peak(sr, cells) - grid_peak(hr, cells)).mean()


def feature_matching(fake: list[torch.Tensor], real: list[torch.Tensor]) -> torch.Tensor:
    return sum((f - r.detach()).abs().mean() for f, r in zip(fake, real)) / len(fake)


def render_batch(G, lr: torch.Tensor, size: int) -> torch.Tensor:
    """The generator's full (B,3,size,size) output for a batch (differentiable)."""
    b = lr.shape[0]
    cell = torch.full((b, 2), lr.shape[-1] / size, device=lr.device)
    out = G(lr, grid_coords(b, size, size).to(lr.device), cell)
    return out.transpose(1, 2).reshape(b, 3, size, size)


def sample_grid(models: dict[str, SRModel], folder: str, path: Path, scale: int = 4, crop: int = 96) -> None:
    """Rows of centre crops: LR (nearest) | bicubic | each model | HR."""
    rows = []
    for p in list_images(folder)[:3]:
        hr, lr = degrade(Image.open(p).convert("RGB"), scale)
        cells = [lr.resize(hr.size, Image.NEAREST), lr.resize(hr.size, Image.BICUBIC)]
        cells += [model_upscaler(m)(lr, hr.size) for m in models.values()]
        cells.append(hr)
        x0, y0 = (hr.width - crop) // 2, (hr.height - crop) // 2
        rows.append(np.concatenate([np.asarray(c.crop((x0, y0, x0 + crop, y0 + crop))) for c in cells], 1))
    Image.fromarray(np.concatenate(rows, 0)).resize(
        (rows[0].shape[1] * 2, len(rows) * crop * 2), Image.NEAREST).save(path)


def main(argv=None) -> None:
    args = parse_args(argv)
    out = Path(args.out)
    start = out / "ckpt" if checkpoint.exists(out / "ckpt") else args.resume_from and Path(args.resume_from) / "ckpt"
    if start and not checkpoint.exists(start):
        print(f"error: --resume-from {args.resume_from}: no checkpoint in {start}", file=sys.stderr)
        raise SystemExit(2)
    acc = Accelerator(cpu=not torch.cuda.is_available(), mixed_precision="no" if args.no_bf16 else "bf16")
    torch.manual_seed(args.seed)
    if acc.is_main_process:
        (out / "samples").mkdir(parents=True, exist_ok=True)
    acc.wait_for_everyone()
    fidelity = SRModel.load_folder(args.init).eval()
    G = SRModel.load_folder(args.init).train()
    D = PatchDiscriminator(args.d_width).train()
    opt_g = torch.optim.Adam(G.parameters(), lr=args.lr_g, betas=(0.9, 0.99))
    opt_d = torch.optim.Adam(D.parameters(), lr=args.lr_d, betas=(0.9, 0.99))
    ema = EMA(G)
    step = 0
    if start:
        meta = checkpoint.load(start, {"G": G, "D": D, "ema": ema.model}, {"G": opt_g, "D": opt_d})
        step = meta["step"]
        acc.print(f"resumed from {start} at step {step}")
    G, D, opt_g, opt_d = acc.prepare(G, D, opt_g, opt_d)
    acc.print(f"processes: {acc.num_processes}; device: {acc.device}; precision: {acc.mixed_precision}")
    g_raw, d_raw = acc.unwrap_model(G), acc.unwrap_model(D)
    sampler = RandomScaleSampler(load_images(args.data), args.lr_size, 0, 1.0, 4.0,
                                 seed=args.seed + 1000 * acc.process_index + step)
    log = CSVLog(out / "log.csv", ["step", "loss_g", "l1", "low", "grid", "grad", "energy", "adv", "fm", "loss_d",
                                   "d_real", "d_fake", "val_psnr", "val_grad"]) if acc.is_main_process else None
    bar = tqdm(total=args.steps, initial=step, desc="GAN", dynamic_ncols=True, disable=not acc.is_main_process)
    while step < args.steps:
        lr, hr = sampler.pair(args.batch, args.lr_size)
        lr, hr = lr.to(acc.device), hr.to(acc.device)
        # generator step (D frozen, used unwrapped so DDP does not expect its gradients)
        d_raw.requires_grad_(False)
        with acc.autocast():
            sr = render_batch(G, lr, hr.shape[-1]).float()
            logit_f, feat_f = d_raw(sr)
            with torch.no_grad():
                _, feat_r = d_raw(hr)
        l1 = (sr - hr).abs().mean()
        grad = gradient_loss(sr, hr)
        grid = grid_loss(sr, hr, lr.shape[-1])
        low = (lowpass(sr, args.low_sigma) - lowpass(hr, args.low_sigma)).abs().mean() if args.w_low else l1 * 0
        energy = energy_loss(sr, hr)
        adv = -logit_f.float().mean()
        fm = feature_matching([f.float() for f in feat_f], [r.float() for r in feat_r])
        loss_g = (args.w_l1 * l1 + args.w_low * low + args.w_grid * grid + args.w_grad * grad
                  + args.w_energy * energy + args.w_adv * adv
                  + args.w_fm * fm)
        opt_g.zero_grad(set_to_none=True)
        acc.backward(loss_g)
        opt_g.step()
        # discriminator step (real and fake in one forward: one DDP reduction)
        d_raw.requires_grad_(True)
        with acc.autocast():
            logits, _ = D(torch.cat([hr, sr.detach()]))
        logits = logits.float()
        d_real, d_fake = logits[: len(hr)].mean(), logits[len(hr):].mean()
        loss_d = F.relu(1 - logits[: len(hr)]).mean() + F.relu(1 + logits[len(hr):]).mean()
        opt_d.zero_grad(set_to_none=True)
        acc.backward(loss_d)
        opt_d.step()
        step += 1
        ema.update(g_raw, step)
        bar.update(1)
        if acc.is_main_process:
            bar.set_postfix(l1=f"{l1.item():.4f}", adv=f"{adv.item():.2f}", d=f"{loss_d.item():.3f}")
            if step % 10 == 0:
                log.write(step=step, loss_g=f"{loss_g.item():.5f}", l1=f"{l1.item():.5f}", low=f"{low.item():.5f}",
                          grid=f"{grid.item():.5f}",
                          grad=f"{grad.item():.5f}", energy=f"{energy.item():.5f}", adv=f"{adv.item():.4f}", fm=f"{fm.item():.5f}",
                          loss_d=f"{loss_d.item():.4f}", d_real=f"{d_real.item():.3f}",
                          d_fake=f"{d_fake.item():.3f}")
            if step % args.val_every == 0 or step == args.steps:
                res = validate(ema.model, args.val)[4]
                log.write(step=step, val_psnr=f"{res['psnr']:.3f}", val_grad=f"{res['grad']:.3f}")
                with (out / "metrics.jsonl").open("a") as f:
                    f.write(json.dumps({"step": step, "set": Path(args.val).name, "scale": 4, **res}) + "\n")
                tqdm.write(f"step {step}: {Path(args.val).name} x4 PSNR {res['psnr']:.3f} "
                           f"SSIM {res['ssim']:.4f} grad ratio {res['grad']:.3f}")
                sample_grid({"fidelity": fidelity, "realism": ema.model}, args.val,
                            out / "samples" / f"step-{step:05d}.png")
                export(ema.model, out / f"step-{step}")
                export(ema.model, out / "last")
            if step % args.ckpt_every == 0 or step == args.steps:
                checkpoint.save(out / "ckpt", step, {"G": g_raw, "D": d_raw, "ema": ema.model},
                                {"G": opt_g, "D": opt_d})
        acc.wait_for_everyone()
    bar.close()
    if acc.is_main_process and args.push_to_hub:
        publish(args, out)
    acc.end_training()


def publish(args, out: Path) -> None:
    """Assemble OUT/bundle (fidelity = --init, realism = EMA, samples, measured metrics) and push it."""
    import shutil
    import subprocess

    from train.hub import main as hub_main
    bundle = out / "bundle"
    shutil.rmtree(bundle, ignore_errors=True)
    shutil.copytree(args.init, bundle / "fidelity")
    shutil.copytree(out / "last", bundle / "realism")
    samples = sorted((out / "samples").glob("*.png"))
    if samples:
        (bundle / "samples").mkdir()
        shutil.copy2(samples[-1], bundle / "samples" / "x4-crops.png")
    val_sets = [str(Path(args.val).parent / n) for n in ("Set5", "Set14") if (Path(args.val).parent / n).is_dir()]
    subprocess.run([sys.executable, "-m", "sr_model", "eval", "--model", str(bundle), "--data", *val_sets,
                    "--scales", "2", "4", "--json", str(bundle / "metrics.json")], check=True)
    code = hub_main(["--bundle", str(bundle), "--push-to-hub", args.push_to_hub])
    if code:
        raise SystemExit(code)


if __name__ == "__main__":
    main()
