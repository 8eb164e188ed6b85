"""Implementations of the ``upscale`` and ``eval`` CLI commands."""
from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

from tqdm import tqdm

import os

from . import imaging, load_model
from .errors import InputError
from .evaluate import bicubic, evaluate, format_table, list_images
from .sizing import resolve_size


def _check_output_path(path: Path) -> None:
    imaging.output_format(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"output folder does not exist: {folder}")
    if path.is_dir():
        raise InputError(f"output path is a directory: {path}")
    if not os.access(folder, os.W_OK):
        raise InputError(f"output folder is not writable: {folder}")


def cmd_upscale(args) -> int:
    out_path = Path(args.output)
    if not 1 <= args.quality <= 100:
        raise InputError(f"--quality must be in 1..100, got {args.quality}")
    if not math.isfinite(args.max_pixels) or args.max_pixels < 1:
        raise InputError(f"--max-pixels must be a positive number, got {args.max_pixels}")
    if args.tile is not None and args.tile < 1:
        raise InputError(f"--tile must be a positive integer, got {args.tile}")
    image = imaging.open_image(args.input)
    size = resolve_size(image.size, scale=args.scale, size=args.size, width=args.width,
                        height=args.height, max_pixels=int(args.max_pixels))
    _check_output_path(out_path)
    up = load_model(args.model, device=args.device, max_pixels=int(args.max_pixels))
    up.model_for(args.realism)  # validate before the long part
    bar = tqdm(total=1, desc=f"{image.width}x{image.height} -> {size[0]}x{size[1]}", unit="tile",
               leave=False, file=sys.stderr, disable=None)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    t0 = time.perf_counter()
    result = up.upscale(image, size=size, tile=args.tile, progress=progress, realism=args.realism)
    elapsed = time.perf_counter() - t0
    bar.close()
    imaging.save_image(result, out_path, quality=args.quality)
    print(f"{args.input}: {image.width}x{image.height} -> {result.width}x{result.height} "
          f"in {elapsed:.2f} s on {up.device.type}; wrote {out_path}")
    if args.compare:
        from .compare import write_comparison
        folder = write_comparison(image, result, Path(args.compare), Path(args.input).stem)
        print(f"comparison written to {folder}")
    return 0


def cmd_eval(args) -> int:
    up = load_model(args.model, device=args.device, max_pixels=None)
    realism = args.realism if args.realism is not None else ([0.0, 0.5, 1.0] if up.has_realism else [0.0])
    methods = {"bicubic": bicubic}
    for t in realism:
        up.model_for(t)
        name = "model" if len(realism) == 1 else f"realism={t:g}"
        methods[name] = (lambda tt: lambda lr, size: up.upscale(lr, size=size, tile=args.tile, realism=tt))(t)
    report = {"command": "python -m sr_model " + " ".join(sys.argv[1:]), "datasets": {}}
    for folder in args.data:
        paths = list_images(folder)
        t0 = time.perf_counter()
        res = evaluate(methods, paths, args.scales)
        print(format_table(res, f"\n{Path(folder).name} ({len(paths)} images; PSNR dB on RGB, "
                                f"border=scale; SSIM; grad = detail ratio vs HR) "
                                f"[{time.perf_counter() - t0:.0f} s]"), flush=True)
        report["datasets"][Path(folder).name] = {"images": len(paths), "results": {str(k): v for k, v in res.items()}}
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    return 0
