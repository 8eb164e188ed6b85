"""Gradio web demo and API for sr_model (UI only: all image logic lives in ``sr_model``).

    python app.py [--host 127.0.0.1] [--port 7860] [--share] [--model DIR_OR_REPO]

Environment: SR_HOST, SR_PORT, SR_SHARE=1, SR_MODEL, SR_MAX_OUTPUT_PIXELS (default 36 MP,
enough for an 8K 16:9 frame; about a minute on a 2-vCPU Space).  One API endpoint,
``/upscale`` (see README for a ``gradio_client`` example).
"""
from __future__ import annotations

import argparse
import functools
import logging
import os
import tempfile
import time
from pathlib import Path

import gradio as gr
from PIL import Image

from sr_model import InputError, load_model
from sr_model import imaging
from sr_model.sizing import PRESETS, fit_long_side, resolve_size

try:  # ZeroGPU Spaces: request a GPU for the inference call; elsewhere a harmless no-op
    import spaces
    gpu = spaces.GPU
except Exception:  # noqa: BLE001 - the package is absent or unusable outside Spaces
    def gpu(fn):
        return fn

log = logging.getLogger("sr-app")
ROOT = Path(__file__).resolve().parent
EXAMPLES = sorted((ROOT / "examples").glob("*.png"))
MAX_OUTPUT_PIXELS = int(float(os.environ.get("SR_MAX_OUTPUT_PIXELS", 36_000_000)))
PREVIEW_LONG_SIDE = 2048  # the on-page slider is downscaled beyond this; the download never is
MODES = ["Scale", "Width × height", "Width", "Height", "Preset"]
FORMATS = {"PNG": ".png", "JPEG": ".jpg", "WebP": ".webp"}

UPSCALER = None  # set in build_app


def _open(path: str | None) -> Image.Image:
    if not path:
        raise InputError("upload an image first")
    return imaging.open_image(path)


@functools.lru_cache(maxsize=64)
def _input_size(path: str) -> tuple[int, int]:
    """Upright size of an uploaded file, decoded once (the size controls ask on every change)."""
    return _open(path).size


def target_size(in_size, mode, scale, width, height, preset) -> tuple[int, int]:
    if mode == "Scale":
        return resolve_size(in_size, scale=scale, max_pixels=MAX_OUTPUT_PIXELS)
    if mode == "Width × height":
        return resolve_size(in_size, size=(width, height), max_pixels=MAX_OUTPUT_PIXELS)
    if mode == "Width":
        return resolve_size(in_size, width=width, max_pixels=MAX_OUTPUT_PIXELS)
    if mode == "Height":
        return resolve_size(in_size, height=height, max_pixels=MAX_OUTPUT_PIXELS)
    if mode == "Preset":
        if preset not in PRESETS:
            raise InputError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
        return resolve_size(in_size, size=fit_long_side(in_size, PRESETS[preset]),
                            max_pixels=MAX_OUTPUT_PIXELS)
    raise InputError(f"unknown size mode {mode!r}; choose one of {', '.join(MODES)}")


def readout(path, mode, scale, width, height, preset) -> str:
    """Live 'W×H → W'×H' (N MP)' line shown before running."""
    if not path:
        return "Upload an image to see its size."
    try:
        iw, ih = _input_size(path)
        w, h = target_size((iw, ih), mode, scale, width, height, preset)
    except InputError as e:
        return f"⚠️ {e}"
    return (f"**{iw}×{ih} → {w}×{h}** ({w * h / 1e6:.1f} MP, "
            f"×{w / iw:.2f} × ×{h / ih:.2f})")


def on_upload(path):
    """Fill width/height with twice the image's size so the exact-size fields start sensible."""
    if not path:
        return gr.update(), gr.update()
    try:
        iw, ih = _input_size(path)
    except InputError:
        return gr.update(), gr.update()
    return gr.update(value=iw * 2), gr.update(value=ih * 2)


def follow_aspect(path, lock, changed, changed_is_width):
    """With the aspect lock on, editing one side recomputes the other."""
    if not lock or not path or not changed:
        return gr.update()
    try:
        iw, ih = _input_size(path)
        if changed_is_width:
            return gr.update(value=max(1, round(float(changed) * ih / iw)))
        return gr.update(value=max(1, round(float(changed) * iw / ih)))
    except (InputError, ValueError, TypeError):
        return gr.update()


def _preview(im: Image.Image) -> Image.Image:
    im = im.convert("RGBA" if im.mode in ("RGBA", "LA") else "RGB")
    if max(im.size) <= PREVIEW_LONG_SIDE:
        return im
    return im.resize(fit_long_side(im.size, PREVIEW_LONG_SIDE), Image.LANCZOS)


@gpu
def upscale(image, mode="Scale", scale=4.0, width=0, height=0, preset="4K", out_format="PNG",
            quality=92, realism=0.0, progress=gr.Progress()):
    """Upscale an image to any size.

    Args:
        image: the input image (file path or URL).
        mode: how the size is given: "Scale", "Width × height", "Width", "Height" or "Preset".
        scale: scale factor for mode "Scale" (e.g. 2.7; <= 1 is a plain downscale).
        width: output width for "Width × height" and "Width".
        height: output height for "Width × height" and "Height".
        preset: "1080p", "1440p", "4K" or "8K" (long side) for mode "Preset".
        out_format: "PNG", "JPEG" or "WebP" for the downloadable file.
        quality: JPEG/WebP quality 1-100.
        realism: 0 = faithful model, 1 = GAN model with crisper texture (if shipped).

    Returns:
        (bicubic preview, model preview) pair, the full-resolution file, and a status line.
    """
    try:
        src = _open(image)
        size = target_size(src.size, mode, scale, width, height, preset)
        if out_format not in FORMATS:
            raise InputError(f"unknown output format {out_format!r}; use PNG, JPEG or WebP")
        if not 1 <= float(quality) <= 100:
            raise InputError("quality must be between 1 and 100")
        progress(0, desc="Starting")
        t0 = time.perf_counter()
        result = UPSCALER.upscale(
            src, size=size, realism=float(realism or 0.0),
            progress=lambda done, total: progress((done, total), desc="Upscaling tiles", unit="tiles"))
        elapsed = time.perf_counter() - t0
        progress(1.0, desc="Encoding")
        out_dir = Path(tempfile.mkdtemp(prefix="sr-"))
        out_path = out_dir / f"{Path(str(image)).stem}_{size[0]}x{size[1]}{FORMATS[out_format]}"
        imaging.save_image(result, out_path, quality=int(quality))
        bicubic = src.resize(size, Image.BICUBIC)
    except InputError as e:
        raise gr.Error(str(e)) from None
    except MemoryError:
        raise gr.Error("Not enough memory for this output size; try a smaller size.") from None
    except gr.Error:
        raise
    except Exception as e:  # never crash the server; keep the details in the log
        log.exception("upscale failed")
        raise gr.Error(f"Upscaling failed ({type(e).__name__}). Try another image or size.") from None
    status = (f"**{src.width}×{src.height} → {result.width}×{result.height}** "
              f"({result.width * result.height / 1e6:.1f} MP) in {elapsed:.2f} s on "
              f"{UPSCALER.device.type.upper()}"
              + (f" · realism {float(realism):g}" if UPSCALER.has_realism else ""))
    return (_preview(bicubic), _preview(result)), str(out_path), status


CSS = """
#title {text-align:center; margin-bottom:0}
#subtitle {text-align:center; color:var(--body-text-color-subdued); margin-top:4px}
#readout {font-size:1.05em}
"""


def build_app(upscaler) -> gr.Blocks:
    global UPSCALER
    UPSCALER = upscaler
    with gr.Blocks(title="Any-size Super-Resolution") as demo:
        gr.Markdown("# Any-size Super-Resolution", elem_id="title")
        gr.Markdown("Upload a photo, choose any output size — ×2.7, exactly 1920×1080, or 4K — and get a "
                    "sharp upscale from an implicit neural representation that runs on a plain CPU.",
                    elem_id="subtitle")
        with gr.Row(equal_height=False):
            with gr.Column(scale=5):
                image = gr.Image(label="Input image", type="filepath", image_mode=None,
                                 sources=["upload", "clipboard"], format="png", height=320)
                mode = gr.Radio(MODES, value="Scale", label="Output size by")
                scale = gr.Slider(1, 16, value=4, step=0.1, label="Scale factor")
                with gr.Row(visible=False) as wh_row:
                    width = gr.Number(label="Width (px)", value=1920, precision=0, minimum=1)
                    height = gr.Number(label="Height (px)", value=1080, precision=0, minimum=1)
                    lock = gr.Checkbox(label="Lock aspect ratio", value=True)
                preset = gr.Radio(list(PRESETS), value="4K", label="Target (long side)", visible=False)
                size_info = gr.Markdown("Upload an image to see its size.", elem_id="readout")
                realism = gr.Slider(0, 1, value=0, step=0.05, label="Realism (0 = faithful, 1 = crisp GAN texture)",
                                    visible=upscaler.has_realism)
                with gr.Accordion("Output file", open=False):
                    with gr.Row():
                        out_format = gr.Radio(list(FORMATS), value="PNG", label="Format")
                        quality = gr.Slider(1, 100, value=92, step=1, label="JPEG/WebP quality")
                run = gr.Button("Upscale", variant="primary", size="lg")
            with gr.Column(scale=7):
                slider = gr.ImageSlider(label="Bicubic ◀ ▶ Super-resolved", type="pil", max_height=620)
                status = gr.Markdown(elem_id="status", label="Status")
                download = gr.File(label="Download full resolution")
        if EXAMPLES:
            gr.Examples([[str(p)] for p in EXAMPLES], inputs=[image], label="Examples (click one)")
        gr.Markdown(f"Limits: output up to {MAX_OUTPUT_PIXELS / 1e6:.0f} MP. The preview is downscaled "
                    f"beyond {PREVIEW_LONG_SIDE} px; the download is always full resolution. "
                    f"Running on {upscaler.device.type.upper()}.")

        size_inputs = [image, mode, scale, width, height, preset]

        def show_mode(m):
            return (gr.update(visible=m == "Scale"),
                    gr.update(visible=m in ("Width × height", "Width", "Height")),
                    gr.update(visible=m == "Preset"))

        mode.change(show_mode, mode, [scale, wh_row, preset], api_visibility="private", queue=False)
        image.upload(on_upload, image, [width, height], api_visibility="private", queue=False)
        width.input(lambda p, lk, w: follow_aspect(p, lk, w, True), [image, lock, width], height,
                    api_visibility="private", queue=False)
        height.input(lambda p, lk, h: follow_aspect(p, lk, h, False), [image, lock, height], width,
                     api_visibility="private", queue=False)
        for comp in size_inputs:
            comp.change(readout, size_inputs, size_info, api_visibility="private", queue=False)
        run.click(upscale, size_inputs + [out_format, quality, realism], [slider, download, status],
                  api_name="upscale", concurrency_limit=1)
    demo.queue(max_size=32, default_concurrency_limit=1)
    return demo


def parse_args(argv=None):
    env = os.environ
    p = argparse.ArgumentParser(description="Any-size super-resolution web demo.")
    p.add_argument("--host", default=env.get("SR_HOST") or env.get("GRADIO_SERVER_NAME") or "127.0.0.1")
    p.add_argument("--port", type=int, default=int(env.get("SR_PORT") or env.get("GRADIO_SERVER_PORT") or 7860))
    p.add_argument("--share", action="store_true", default=env.get("SR_SHARE", "") in ("1", "true", "True"),
                   help="also create a public gradio.live link")
    p.add_argument("--model", default=env.get("SR_MODEL") or None,
                   help="weights folder or Hub repo id (default: the shipped weights)")
    return p.parse_args(argv)


def main(argv=None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    args = parse_args(argv)
    try:
        upscaler = load_model(args.model, max_pixels=MAX_OUTPUT_PIXELS)
    except InputError as e:
        raise SystemExit(f"error: {e}")
    upscaler.upscale(Image.new("RGB", (8, 8)), scale=2)  # warm-up: JIT-compile the CPU kernel now
    demo = build_app(upscaler)
    demo.launch(server_name=args.host, server_port=args.port, share=args.share,
                theme=gr.themes.Soft(primary_hue="indigo"), css=CSS, max_file_size="50mb",
                prevent_thread_lock=args.share, show_error=True)
    if args.share:
        if not getattr(demo, "share_url", None):
            print(f"warning: could not create a public share link (no internet access?); "
                  f"still serving locally at http://{args.host}:{args.port}", flush=True)
        demo.block_thread()


if __name__ == "__main__":
    main()
