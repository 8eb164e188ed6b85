"""CLI: success paths and every bad input -> one stderr line, exit 2, no output file."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from conftest import ROOT, photo


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sr_model", *map(str, args)], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def src(tmp_path_factory):
    p = tmp_path_factory.mktemp("in") / "in.png"
    photo(64, 48).save(p)
    return p


@pytest.mark.parametrize("flags,size", [(["--scale", "2.5"], (160, 120)),
                                         (["--size", "100x30"], (100, 30)),
                                         (["--width", "128"], (128, 96)),
                                         (["--height", "24"], (32, 24))])
def test_upscale_ok(tmp_path, src, flags, size):
    out = tmp_path / "out.webp"
    r = run("upscale", src, out, *flags)
    assert r.returncode == 0, r.stderr
    with Image.open(out) as im:
        assert im.size == size and im.format == "WEBP"


def test_compare_writes_panels(tmp_path, src):
    r = run("upscale", src, tmp_path / "o.png", "--scale", "3", "--compare", tmp_path / "cmp")
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in (tmp_path / "cmp").iterdir())
    assert names == ["in_bicubic.png", "in_compare.png", "in_lanczos.png", "in_model.png", "in_nearest.png",
                     "in_side_by_side.png"]


def _bad_inputs(tmp_path, src):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    text = tmp_path / "text.png"
    text.write_text("this is not an image")
    trunc = tmp_path / "trunc.png"
    trunc.write_bytes(src.read_bytes()[:400])
    import os
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    if os.geteuid() == 0:  # root ignores directory permissions; /proc refuses new files
        ro = Path("/proc")
    return {
        "missing": ["upscale", tmp_path / "nope.png", tmp_path / "o.png", "--scale", "2"],
        "empty": ["upscale", empty, tmp_path / "o.png", "--scale", "2"],
        "not-image": ["upscale", text, tmp_path / "o.png", "--scale", "2"],
        "truncated": ["upscale", trunc, tmp_path / "o.png", "--scale", "2"],
        "scale0": ["upscale", src, tmp_path / "o.png", "--scale", "0"],
        "scale-neg": ["upscale", src, tmp_path / "o.png", "--scale", "-1"],
        "scale-nan": ["upscale", src, tmp_path / "o.png", "--scale", "nan"],
        "scale-inf": ["upscale", src, tmp_path / "o.png", "--scale", "inf"],
        "size0": ["upscale", src, tmp_path / "o.png", "--size", "0x10"],
        "size-junk": ["upscale", src, tmp_path / "o.png", "--size", "big"],
        "too-big": ["upscale", src, tmp_path / "o.png", "--scale", "2", "--max-pixels", "1000"],
        "bad-ext": ["upscale", src, tmp_path / "o.xyz", "--scale", "2"],
        "no-folder": ["upscale", src, tmp_path / "missing" / "o.png", "--scale", "2"],
        "unwritable": ["upscale", src, ro / "o.png", "--scale", "2"],
        "device": ["upscale", src, tmp_path / "o.png", "--scale", "2", "--device", "tpu"],
        "no-size": ["upscale", src, tmp_path / "o.png"],
        "bad-model": ["upscale", src, tmp_path / "o.png", "--scale", "2", "--model", tmp_path],
    }


def test_bad_inputs_exit_2_cleanly(tmp_path, src):
    cases = _bad_inputs(tmp_path, src)
    for name, args in cases.items():
        before = set(tmp_path.rglob("*"))
        r = run(*args)
        assert r.returncode == 2, f"{name}: rc={r.returncode} {r.stderr}"
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), f"{name}: {r.stderr!r}"
        assert "Traceback" not in r.stderr
        assert set(tmp_path.rglob("*")) == before, f"{name}: left files behind"
