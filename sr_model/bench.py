"""``python -m sr_model bench``: speed and peak memory, each beside Pillow bicubic.

Timing jobs run in this process (one warm-up, then ``--runs`` timed runs, median reported).
The 512x512 -> 8192x8192 memory job runs in a fresh child process per method so its peak RSS
(``ru_maxrss`` of the child) belongs to that job alone.
"""
from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
from PIL import Image

SPEED_JOBS = [((256, 256), (1024, 1024)), ((512, 512), (1024, 1024)), ((128, 128), (1536, 1536))]
RSS_JOB = ((512, 512), (8192, 8192))


def test_image(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """Deterministic photo-like content: smooth colour fields, edges and fine texture."""
    rng = np.random.default_rng(seed)
    w, h = size
    small = rng.random((max(2, h // 16), max(2, w // 16), 3)) * 255
    img = np.asarray(Image.fromarray(small.astype(np.uint8)).resize((w, h), Image.BICUBIC), np.float32)
    yy, xx = np.mgrid[0:h, 0:w]
    img += 40 * (((xx // 24) + (yy // 24)) % 2)[..., None]            # hard edges
    img += rng.normal(0, 8, img.shape)                                   # texture
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def _time(fn, runs: int) -> float:
    fn()  # warm-up (JIT compile, allocator)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _rss_job(method: str, model: str | None, device: str | None, tile: int | None) -> None:
    """Child process: run the big job once, print elapsed seconds as JSON."""
    src = test_image(RSS_JOB[0])
    if method == "model":
        from . import load_model
        up = load_model(model, device=device, max_pixels=None)
        t0 = time.perf_counter()
        up.upscale(src, size=RSS_JOB[1], tile=tile)
    else:
        t0 = time.perf_counter()
        src.resize(RSS_JOB[1], Image.BICUBIC)
    print(json.dumps({"seconds": time.perf_counter() - t0}))


def _measure_rss(method: str, args) -> tuple[float, float]:
    cmd = [sys.executable, "-m", "sr_model", "bench", "--job", method]
    for flag, val in (("--model", args.model), ("--device", args.device), ("--tile", args.tile)):
        if val is not None:
            cmd += [flag, str(val)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak_kb <= before:
        raise RuntimeError("could not attribute peak RSS to the child (an earlier child was larger)")
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"], peak_kb / 1024 ** 2


def cmd_bench(args) -> int:
    if args.job:
        _rss_job(args.job, args.model, args.device, args.tile)
        return 0
    from . import load_model
    import torch
    up = load_model(args.model, device=args.device, max_pixels=None)
    print(f"device: {up.device.type}; torch threads: {torch.get_num_threads()}; runs: {args.runs}")
    print("| job | model median s | Pillow bicubic median s |")
    print("|---|---|---|")
    for src_size, dst in SPEED_JOBS:
        src = test_image(src_size)
        tm = _time(lambda: up.upscale(src, size=dst, tile=args.tile), args.runs)
        tb = _time(lambda: src.resize(dst, Image.BICUBIC), args.runs)
        print(f"| {src_size[0]}x{src_size[1]} -> {dst[0]}x{dst[1]} (x{dst[0] / src_size[0]:g}) "
              f"| {tm:.3f} | {tb:.3f} |", flush=True)
    if not args.skip_rss:
        # bicubic first: ru_maxrss of children is a running maximum, the model job is larger
        tb, rb = _measure_rss("bicubic", args)
        tm, rm = _measure_rss("model", args)
        print(f"\n| {RSS_JOB[0][0]}x{RSS_JOB[0][1]} -> {RSS_JOB[1][0]}x{RSS_JOB[1][1]} | peak RSS GB | seconds |")
        print("|---|---|---|")
        print(f"| model | {rm:.2f} | {tm:.1f} |")
        print(f"| Pillow bicubic | {rb:.2f} | {tb:.1f} |")
    return 0
