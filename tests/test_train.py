"""Training stages on tiny data: pixel loss + resume, GAN step + resume, 2-process GAN run,
model card with measured numbers, Hub push (client patched) and the pushed layout loading."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

from conftest import EXAMPLES, ROOT

TINY = {"enc_width": 8, "enc_blocks": 1, "latent_dim": 16, "dim": 16, "heads": 2, "key_dim": 4, "hidden": 16}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    train, val = root / "train", root / "val" / "Set5"
    train.mkdir()
    val.mkdir(parents=True)
    for i, name in enumerate(["astronaut", "coffee", "rocket"]):
        im = Image.open(EXAMPLES / f"{name}.png").convert("RGB")
        im.crop((100, 100, 260, 240)).save(train / f"{i}.png")
        im.crop((0, 0, 48, 40)).save(val / f"{i}.png")
    from sr_model.model import SRModel
    torch.manual_seed(0)
    init = SRModel(**TINY)
    with torch.no_grad():  # like a trained model: the zero-initialised residual head is non-zero
        init.generator.mlp[-1].weight.normal_(0, 0.05)
    init.save_pretrained(str(root / "init"))
    return root


def py(*args, **kw):
    return subprocess.run([sys.executable, *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, **kw)


def test_pixel_training_and_resume(tiny):
    out = tiny / "pixel"
    common = ["-m", "train.train", "--data", tiny / "train", "--val", tiny / "val" / "Set5", "--out", out,
              "--batch", "2", "--lr-size", "16", "--queries", "64", "--val-every", "2", "--ckpt-every", "1",
              "--config", json.dumps(TINY)]
    r = py(*common, "--iters", "2")
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads((out / "ckpt" / "state.json").read_text())["step"] == 2
    r = py(*common, "--iters", "3")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "resumed from step 2" in r.stdout
    assert json.loads((out / "ckpt" / "state.json").read_text())["step"] == 3
    assert (out / "best" / "model.safetensors").exists() and (out / "last" / "config.json").exists()


def test_gan_step_changes_weights_and_resumes(tiny):
    out = tiny / "gan"
    common = ["-m", "train.gan", "--data", tiny / "train", "--val", tiny / "val" / "Set5", "--init", tiny / "init",
              "--out", out, "--batch", "2", "--lr-size", "16", "--val-every", "1", "--ckpt-every", "1", "--no-bf16"]
    r = py(*common, "--steps", "1")
    assert r.returncode == 0, r.stderr[-2000:]
    before = load_file(str(tiny / "init" / "model.safetensors"))
    after = load_file(str(out / "ckpt" / "state.safetensors"))
    changed = [k for k in before if not torch.equal(before[k], after["G/" + k])]
    assert len(changed) > len(before) // 2, "one GAN step should update most generator tensors"
    assert (out / "samples" / "step-00001.png").exists()
    assert json.loads((out / "metrics.jsonl").read_text().splitlines()[0])["step"] == 1
    r = py(*common, "--steps", "2")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "at step 1" in r.stdout
    assert json.loads((out / "ckpt" / "state.json").read_text())["step"] == 2
    # a new stage with changed loss weights continues that run's checkpoint in its own folder
    stage = tiny / "gan-stage2"
    r = py(*[stage if a == out else a for a in common], "--steps", "3", "--resume-from", out, "--w-low", "2")
    assert r.returncode == 0, r.stderr[-2000:]
    assert f"resumed from {out / 'ckpt'} at step 2" in r.stdout
    assert json.loads((stage / "ckpt" / "state.json").read_text())["step"] == 3
    assert json.loads((out / "ckpt" / "state.json").read_text())["step"] == 2, "the source run is left as it was"
    r = py(*[tiny / "gan-x" if a == out else a for a in common], "--steps", "3", "--resume-from", tiny / "none")
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [
        f"error: --resume-from {tiny / 'none'}: no checkpoint in {tiny / 'none' / 'ckpt'}"]
    assert not (tiny / "gan-x").exists()


def test_gan_two_processes(tiny):
    out = tiny / "gan-ddp"
    r = py("-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29533", "-m", "train.gan",
           "--data", tiny / "train", "--val", tiny / "val" / "Set5", "--init", tiny / "init", "--out", out,
           "--batch", "2", "--lr-size", "16", "--steps", "2", "--val-every", "2", "--ckpt-every", "2", "--no-bf16")
    assert r.returncode == 0, r.stderr[-3000:]
    assert "processes: 2" in r.stdout
    assert json.loads((out / "ckpt" / "state.json").read_text())["step"] == 2


@pytest.fixture(scope="module")
def bundle(tiny):
    import shutil
    b = tiny / "bundle"
    shutil.copytree(tiny / "init", b / "fidelity")
    from sr_model.model import SRModel
    torch.manual_seed(1)
    SRModel(**TINY).save_pretrained(str(b / "realism"))
    r = py("-m", "sr_model", "eval", "--model", b, "--data", tiny / "val" / "Set5", "--scales", "2",
           "--json", b / "metrics.json")
    assert r.returncode == 0, r.stderr[-2000:]
    return b


def test_model_card_has_measured_numbers(bundle):
    from train.hub import render_card
    card = render_card(bundle)
    metrics = json.loads((bundle / "metrics.json").read_text())
    res = metrics["datasets"]["Set5"]["results"]["2"]
    assert card.startswith("---\nlibrary_name: sr_model")
    assert f"{res['bicubic']['psnr']:.2f}" in card and f"{res['realism=1']['psnr']:.2f}" in card
    assert "python -m sr_model eval" in card


def test_push_uploads_loadable_layout(bundle, monkeypatch, tmp_path):
    import huggingface_hub
    import shutil
    from sr_model import load_model
    from train import hub

    calls = {}

    class FakeApi:
        def __init__(self, token=None):
            calls["token"] = token

        def create_repo(self, repo_id, **kw):
            calls["repo"] = repo_id

        def upload_folder(self, folder_path, repo_id, **kw):
            shutil.copytree(folder_path, tmp_path / "uploaded")
            return "https://huggingface.co/fake/commit/1"

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    assert hub.main(["--bundle", str(bundle), "--push-to-hub", "me/sr", "--token", "t"]) == 0
    up = tmp_path / "uploaded"
    assert calls == {"token": "t", "repo": "me/sr"}
    assert (up / "README.md").read_text().startswith("---")
    assert (up / "fidelity" / "model.safetensors").exists() and (up / "realism" / "config.json").exists()
    loaded = load_model(str(up), device="cpu")
    assert loaded.has_realism
    assert loaded.upscale(Image.new("RGB", (5, 4)), scale=2).size == (10, 8)


def test_push_offline_fails_cleanly(bundle, monkeypatch, capsys):
    import huggingface_hub
    from train import hub

    class OfflineApi:
        def __init__(self, token=None):
            pass

        def create_repo(self, *a, **kw):
            raise ConnectionError("Failed to resolve huggingface.co")

    monkeypatch.setattr(huggingface_hub, "HfApi", OfflineApi)
    before = sorted(p.relative_to(bundle) for p in bundle.rglob("*"))
    assert hub.main(["--bundle", str(bundle), "--push-to-hub", "me/sr"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: could not push") and "unchanged" in err
    assert sorted(p.relative_to(bundle) for p in bundle.rglob("*")) == before


def test_grid_peak_finds_lr_grid_patterns_only():
    from train.gan import grid_loss, grid_peak
    torch.manual_seed(0)
    n, cells = 96, 24  # a x4 crop: 24 LR pixels across
    t = torch.arange(n).float()
    seam = 0.01 * torch.cos(2 * torch.pi * t * cells / n)  # repeats once per LR pixel
    pattern = seam[None, None, None, :].expand(2, 3, n, n)
    noise = 0.02 * torch.randn(2, 3, n, n)
    assert torch.allclose(grid_peak(pattern, cells), torch.full((2,), 0.0025), atol=1e-4)
    assert grid_peak(noise, cells).abs().max() < 2e-4
    assert grid_loss(noise + pattern, noise, cells) > 1.25e-3  # found on top of texture
    assert grid_loss(noise, noise + pattern, cells) == 0  # only structure HR lacks is penalised
    assert grid_peak(noise[..., :40, :40], 24).abs().max() == 0  # below x2 there is no grid harmonic


def test_diagnose_identical_models(tiny):
    """Realism = fidelity: the coarse-band swap changes nothing and both grid figures agree."""
    from sr_model.model import SRModel
    from train.diagnose import diagnose
    m = SRModel.load_folder(str(tiny / "init"))
    r = diagnose(m, m, str(tiny / "val" / "Set5"), 4, 2.0)
    assert r["realism"] == r["fidelity"]
    assert abs(r["swapped"]["psnr"] - r["realism"]["psnr"]) < 0.05
    assert r["grid"]["realism"] == r["grid"]["fidelity"]
