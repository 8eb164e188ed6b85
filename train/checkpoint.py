"""Resumable checkpoints without pickle: tensors in safetensors, everything else in JSON.

A checkpoint folder holds ``state.safetensors`` (model, EMA, optimizer moments, RNG state) and
``state.json`` (step, optimizer hyper-parameters, extra metadata).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file


def _flatten_optimizer(prefix: str, opt: torch.optim.Optimizer, tensors: dict, meta: dict) -> None:
    sd = opt.state_dict()
    for idx, st in sd["state"].items():
        for k, v in st.items():
            tensors[f"{prefix}.{idx}.{k}"] = (v if torch.is_tensor(v) else torch.tensor(v)).contiguous()
    meta[prefix] = sd["param_groups"]


def _restore_optimizer(prefix: str, opt: torch.optim.Optimizer, tensors: dict, meta: dict) -> None:
    state: dict = {}
    for key, v in tensors.items():
        if key.startswith(prefix + "."):
            _, idx, k = key.split(".", 2)
            state.setdefault(int(idx), {})[k] = v
    opt.load_state_dict({"state": state, "param_groups": meta[prefix]})


def save(folder: str | Path, step: int, modules: dict[str, torch.nn.Module],
         optimizers: dict[str, torch.optim.Optimizer], extra: dict | None = None) -> None:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tensors: dict[str, torch.Tensor] = {}
    meta: dict = {"step": step, "extra": extra or {}}
    for name, m in modules.items():
        for k, v in m.state_dict().items():
            tensors[f"{name}/{k}"] = v.detach().contiguous().clone()
    for name, opt in optimizers.items():
        _flatten_optimizer(f"opt-{name}", opt, tensors, meta)
    tensors["rng/torch"] = torch.get_rng_state()
    tmp = folder / "state.safetensors.tmp"
    save_file(tensors, str(tmp))
    os.replace(tmp, folder / "state.safetensors")
    (folder / "state.json.tmp").write_text(json.dumps(meta, indent=1))
    os.replace(folder / "state.json.tmp", folder / "state.json")


def exists(folder: str | Path) -> bool:
    return (Path(folder) / "state.json").exists()


def load(folder: str | Path, modules: dict[str, torch.nn.Module],
         optimizers: dict[str, torch.optim.Optimizer]) -> dict:
    folder = Path(folder)
    tensors = load_file(str(folder / "state.safetensors"))
    meta = json.loads((folder / "state.json").read_text())
    for name, m in modules.items():
        pre = name + "/"
        m.load_state_dict({k[len(pre):]: v for k, v in tensors.items() if k.startswith(pre)})
    for name, opt in optimizers.items():
        _restore_optimizer(f"opt-{name}", opt, tensors, meta)
    torch.set_rng_state(tensors["rng/torch"])
    return meta
