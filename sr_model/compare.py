"""``--compare``: nearest / bicubic / Lanczos / model at the same size, a full-frame
side-by-side and a zoomed centre-crop panel."""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from . import imaging

CROP = 192   # output pixels of the zoomed crop
ZOOM = 2     # nearest-neighbour magnification of the crop
FULL = 768   # long side of each panel in the full-frame side-by-side


def write_comparison(src: Image.Image, model_out: Image.Image, folder: Path, stem: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    size = model_out.size
    rgb = src.convert("RGB")
    outs = {"nearest": rgb.resize(size, Image.NEAREST), "bicubic": rgb.resize(size, Image.BICUBIC),
            "lanczos": rgb.resize(size, Image.LANCZOS), "model": model_out.convert("RGB")}
    for name, im in outs.items():
        imaging.save_image(im, folder / f"{stem}_{name}.png")
    cw, ch = min(CROP, size[0]), min(CROP, size[1])
    x0, y0 = (size[0] - cw) // 2, (size[1] - ch) // 2
    tiles = [im.crop((x0, y0, x0 + cw, y0 + ch)).resize((cw * ZOOM, ch * ZOOM), Image.NEAREST)
             for im in outs.values()]
    label_h = 22
    panel = Image.new("RGB", (len(tiles) * (cw * ZOOM + 4), ch * ZOOM + label_h), "white")
    draw = ImageDraw.Draw(panel)
    for i, (name, t) in enumerate(zip(outs, tiles)):
        x = i * (cw * ZOOM + 4)
        panel.paste(t, (x, label_h))
        draw.text((x + 4, 4), f"{name} (centre crop x{ZOOM})", fill="black")
    imaging.save_image(panel, folder / f"{stem}_compare.png")
    k = min(1.0, FULL / max(size))
    pw, ph = max(1, round(size[0] * k)), max(1, round(size[1] * k))
    full = Image.new("RGB", (len(outs) * (pw + 4), ph + label_h), "white")
    draw = ImageDraw.Draw(full)
    for i, (name, im) in enumerate(outs.items()):
        full.paste(im.resize((pw, ph), Image.LANCZOS) if k < 1 else im, (i * (pw + 4), label_h))
        draw.text((i * (pw + 4) + 4, 4), name, fill="black")
    imaging.save_image(full, folder / f"{stem}_side_by_side.png")
    return folder
