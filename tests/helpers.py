# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Helpers shared by the tests of several folders (``from tests.helpers import ...``)."""
import contextlib
import io
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence, Tuple

import torch
import torchvision

from gersp_mm.cls.converters.split_scene_classification import main as split_scene_classification

ROOT = Path(__file__).resolve().parents[1]
NWPU = ROOT / 'tests' / 'data' / 'cls' / 'nwpu'
AERIAL_JPEG = ROOT / 'tests' / 'data' / 'pretrain' / 'aerial_800' / '00001.jpg'  # a real 800x800 DIOR JPEG
SCENE_JPEG = ROOT / 'tests' / 'data' / 'pretrain' / 'rs' / 'airport' / 'airport_001.jpg'  # a real 256x256 JPEG


def write_nwpu_split(out_dir: Path) -> Tuple[Path, Path]:
    """The 20% train / 80% test lists of the real NWPU sample images (1 / 2 images per class), written by
    the split of ``tools/dataset_converters/split_scene_classification.py``."""
    split_scene_classification(['nwpu45', str(NWPU), '--train-ratio', '0.2', '--out-dir', str(out_dir)])
    return Path(out_dir) / 'train-20p_seed0.txt', Path(out_dir) / 'test-20p_seed0.txt'


def random_resnet50_state_dict(seed: int = 0) -> Dict[str, torch.Tensor]:
    """A torchvision ResNet-50 state dict whose every tensor is distinct from its initialisation: floats drawn
    positive (|N(0, 1)| + 0.1, so no BN variance is 0), integer buffers 7."""
    generator = torch.Generator().manual_seed(seed)
    return {key: (torch.randn(value.shape, generator=generator).abs() + 0.1 if value.is_floating_point()
                  else torch.full_like(value, 7))
            for key, value in torchvision.models.resnet50(weights=None).state_dict().items()}


def save_resnet50_checkpoints(folder: Path) -> Tuple[Dict[str, torch.Tensor], Dict[str, str]]:
    """:func:`random_resnet50_state_dict` saved as a GeRSP export (under ``backbone.``) and as a torchvision
    file. Returns the state dict and the files by config variant (``{'-gersp': ..., '-in1k': ...}``)."""
    state = random_resnet50_state_dict()
    files = {'-gersp': str(Path(folder) / 'gersp.pth'), '-in1k': str(Path(folder) / 'plain.pth')}
    torch.save({'state_dict': {f'backbone.{key}': value for key, value in state.items()}}, files['-gersp'])
    torch.save(state, files['-in1k'])
    return state, files


def assert_loaded_plain_resnet50(backbone: torch.nn.Module, state: Dict[str, torch.Tensor]) -> None:
    """The backbone's every tensor is the plain ResNet-50's of that name (no key missing; only ``fc`` unused)."""
    loaded = backbone.state_dict()
    missing = set(loaded) - set(state)
    assert not missing, f'keys of the backbone not in a plain ResNet-50: {sorted(missing)}'
    assert set(state) - set(loaded) == {'fc.weight', 'fc.bias'}
    for key, value in loaded.items():
        assert torch.equal(value, state[key]), f'{key} was not loaded from the checkpoint'


def free_port() -> int:
    """A TCP port nobody listens on now (for a torchrun rendezvous)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def run_python(*args, cwd=ROOT, **env_vars) -> str:
    """``python ARGS`` in a new process (the repository on ``PYTHONPATH``, ``env_vars`` added to the
    environment); fails the test with the output's tail unless it exits with 0. Returns stdout + stderr."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), **env_vars)
    result = subprocess.run([sys.executable, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, f'{args} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}'
    return result.stdout + result.stderr


def run_main(main: Callable[[Optional[Sequence[str]]], int], *args) -> subprocess.CompletedProcess:
    """A tool's package function ``main(argv)`` in this process (no interpreter start, no imports), its stdout
    and stderr captured: what a run of the tool in a new process returns."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        returncode = main([str(arg) for arg in args])
    return subprocess.CompletedProcess(args, returncode, stdout.getvalue(), stderr.getvalue())


def shrink_to_nwpu_sample(cfg, train_list, test_list, work_dir):
    """The real NWPU sample images with the given lists, 64 px, batch 2, one epoch, no checkpoints."""
    cfg.work_dir = work_dir
    for loader, ann_file in (('train_dataloader', train_list), ('val_dataloader', test_list),
                             ('test_dataloader', test_list)):
        cfg[loader].update(batch_size=2, num_workers=0, persistent_workers=False)
        cfg[loader].dataset.update(data_root=str(NWPU), ann_file=ann_file)
        for transform in cfg[loader].dataset.pipeline:
            if transform.type == 'RandomResizedCrop':
                transform.scale = 64
            elif transform.type == 'Resize':
                transform.scale = (64, 64)
    cfg.train_cfg.update(max_epochs=1, val_interval=1)
    cfg.default_hooks.checkpoint = None
    return cfg
