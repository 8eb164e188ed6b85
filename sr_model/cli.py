"""Command line: ``python -m sr_model upscale|eval|bench``.

Bad input prints one line ``error: ...`` on stderr and exits with status 2; no traceback and
no partial output file (outputs are written to a temp file and renamed).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import InputError
from .sizing import DEFAULT_MAX_PIXELS, parse_size

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse's default prints usage too)
        raise InputError(f"{self.prog}: {message} (see --help)")


def _common_model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default=None, help="local weights folder or Hub repo id "
                   "(default: the weights shipped in this repo)")
    p.add_argument("--device", default=None, help="cpu, cuda or mps (default: auto)")
    p.add_argument("--tile", type=int, default=None, help="LR tile size in pixels (memory bound; "
                   "does not change the result)")


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="python -m sr_model", description="Arbitrary-scale image super-resolution.")
    sub = ap.add_subparsers(dest="cmd", required=True, parser_class=_Parser)

    up = sub.add_parser("upscale", help="upscale one image to any size")
    up.add_argument("input")
    up.add_argument("output", help="output file; format from the extension (png, jpg, webp, ...)")
    g = up.add_mutually_exclusive_group(required=True)
    g.add_argument("--scale", type=float, help="scale factor (any float; <= 1 is a plain downscale)")
    g.add_argument("--size", type=parse_size, help="exact output size WxH (may change aspect ratio)")
    g.add_argument("--width", type=float, help="output width; height follows the aspect ratio")
    g.add_argument("--height", type=float, help="output height; width follows the aspect ratio")
    _common_model_args(up)
    up.add_argument("--realism", type=float, default=0.0, help="0 = fidelity model, 1 = GAN model")
    up.add_argument("--max-pixels", type=float, default=DEFAULT_MAX_PIXELS,
                    help=f"refuse outputs above this many pixels (default {DEFAULT_MAX_PIXELS:,})")
    up.add_argument("--quality", type=int, default=95, help="JPEG/WebP quality (1-100)")
    up.add_argument("--compare", metavar="DIR", default=None,
                    help="also write nearest/bicubic/lanczos/model outputs and a zoomed side-by-side")

    ev = sub.add_parser("eval", help="PSNR/SSIM/detail table against bicubic on a folder of HR images")
    ev.add_argument("--data", required=True, nargs="+", help="folder(s) of HR images")
    ev.add_argument("--scales", type=int, nargs="+", default=[2, 3, 4, 6, 8, 12])
    ev.add_argument("--realism", type=float, nargs="+", default=None,
                    help="realism values to evaluate (default: 0, plus 0.5 and 1 if available)")
    ev.add_argument("--json", default=None, metavar="PATH", help="also write the results as JSON")
    _common_model_args(ev)

    be = sub.add_parser("bench", help="speed and memory benchmark against Pillow bicubic")
    be.add_argument("--runs", type=int, default=5)
    be.add_argument("--skip-rss", action="store_true", help="skip the 512->8192 peak-memory job")
    be.add_argument("--job", default=None, help=argparse.SUPPRESS)
    _common_model_args(be)
    return ap


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.cmd == "upscale":
            from .commands import cmd_upscale
            return cmd_upscale(args)
        if args.cmd == "eval":
            from .commands import cmd_eval
            return cmd_eval(args)
        from .bench import cmd_bench
        return cmd_bench(args)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print("error: out of memory; try a smaller output or --tile 128", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
