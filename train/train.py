"""Pixel-loss (L1) training of the fidelity model on CPU or GPU.

    python -m train.train --out runs/fidelity --iters 12000

Random scale per batch in U(1,4), fresh random query points per batch, Adam with warm-up and
cosine decay, EMA of the weights, tqdm progress with ETA, periodic Set5 x4 validation, resumable
safetensors checkpoints (``--out`` is resumed automatically), best EMA weights exported to
``OUT/best`` (config.json + model.safetensors) whenever validation PSNR improves.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from tqdm import tqdm

from sr_model.model import SRModel
from train import checkpoint
from train.common import EMA, CSVLog, cosine_lr, export, validate
from train.data import RandomScaleSampler, load_images

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=str(DATA / "train" / "bsds400"))
    p.add_argument("--val", default=str(DATA / "val" / "Set5"))
    p.add_argument("--out", default="runs/fidelity")
    p.add_argument("--init", default=None, help="start from these weights (folder with model.safetensors)")
    p.add_argument("--config", default="{}", help="JSON of SRModel arguments")
    p.add_argument("--iters", type=int, default=12000)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr-size", type=int, default=48)
    p.add_argument("--queries", type=int, default=2304)
    p.add_argument("--lr", type=float, default=4e-4)
    p.add_argument("--max-scale", type=float, default=4.0)
    p.add_argument("--val-every", type=int, default=1000)
    p.add_argument("--ckpt-every", type=int, default=250)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=0, help="torch threads (0 = default)")
    p.add_argument("--no-bf16", action="store_true", help="disable bf16 autocast")
    return p.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model = SRModel(**json.loads(args.config))
    if args.init:
        model = SRModel.load_folder(args.init)
    model.train()
    model.to(memory_format=torch.channels_last)
    ema = EMA(model)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    step, best = 0, -1.0
    if checkpoint.exists(out / "ckpt"):
        meta = checkpoint.load(out / "ckpt", {"model": model, "ema": ema.model}, {"adam": opt})
        step, best = meta["step"], meta["extra"].get("best", -1.0)
        print(f"resumed from step {step} (best Set5 x4 {best:.3f} dB)")
    images = load_images(args.data)
    sampler = RandomScaleSampler(images, args.lr_size, args.queries, 1.0, args.max_scale,
                                 seed=args.seed + step)
    log = CSVLog(out / "log.csv", ["step", "loss", "lr", "scale", "val_psnr", "val_ssim"])
    use_bf16 = not args.no_bf16
    bar = tqdm(total=args.iters, initial=step, desc="pixel-L1", dynamic_ncols=True)
    running = None
    while step < args.iters:
        b = sampler.batch(args.batch)
        for g in opt.param_groups:
            g["lr"] = cosine_lr(step, args.iters, args.lr)
        lr_img = b["lr"].contiguous(memory_format=torch.channels_last)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=use_bf16):
            pred = model(lr_img, b["coords"], b["cell"])
        loss = (pred.float() - b["target"]).abs().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        ema.update(model, step)
        running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
        bar.update(1)
        bar.set_postfix(loss=f"{running:.4f}", best=f"{best:.2f}")
        if step % 50 == 0:
            log.write(step=step, loss=f"{running:.5f}", lr=f"{opt.param_groups[0]['lr']:.2e}",
                      scale=f"{float(b['scale']):.2f}")
        if step % args.val_every == 0 or step == args.iters:
            r = validate(ema.model, args.val)[4]
            log.write(step=step, val_psnr=f"{r['psnr']:.3f}", val_ssim=f"{r['ssim']:.4f}")
            tqdm.write(f"step {step}: Set5 x4 PSNR {r['psnr']:.3f} SSIM {r['ssim']:.4f}")
            if r["psnr"] > best:
                best = r["psnr"]
                export(ema.model, out / "best")
            model.train()
        if step % args.ckpt_every == 0 or step == args.iters:
            checkpoint.save(out / "ckpt", step, {"model": model, "ema": ema.model}, {"adam": opt},
                            {"best": best})
    bar.close()
    export(ema.model, out / "last")


if __name__ == "__main__":
    main()
