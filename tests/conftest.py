# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from pathlib import Path
from typing import Callable, Tuple, Union

import pytest
import torch

import gersp_mm  # noqa: F401  (makes `gersp_mm::` config bases resolvable)
from tests.helpers import run_python

CONFIGS = Path(__file__).resolve().parents[1] / 'configs'


def pytest_collection_modifyitems(config, items):
    """Files with more ``slow`` tests first (stable otherwise): with parallel workers the long files start at
    once and the short ones fill in around them, so that the workers finish together."""
    slow_per_file = {}
    for item in items:
        if item.get_closest_marker('slow'):
            slow_per_file[item.path] = slow_per_file.get(item.path, 0) + 1
    items.sort(key=lambda item: -slow_per_file.get(item.path, 0))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """With pytest-xdist (``pytest -n 2``) each test file runs whole in one worker, so that an expensive
    module-scoped fixture (a tiny training run, the quick demo) runs once, not once in every worker, and the
    files are handed out in the collection order (slow files first), not by their number of tests. (An
    explicit ``--dist`` other than ``load`` is kept.)"""
    if config.getoption('dist') != 'load':
        return None
    from xdist.scheduler import LoadFileScheduling
    config.option.loadscopereorder = False
    return LoadFileScheduling(config, log)


@pytest.fixture(params=['checkout', 'gersp_mm::'])
def config_file(request, tmp_path) -> Callable[[Union[str, Path]], str]:
    """``resolve(path)`` gives a config of this repository as the test should load it: the checkout's file,
    or a user's config outside the repository that only inherits it through ``gersp_mm::`` (what users of
    the installed package write; mmengine then builds its dicts in the ``gersp_mm`` registry scope)."""
    def resolve(path: Union[str, Path]) -> str:
        path = Path(path)
        if request.param == 'checkout':
            return str(path)
        user_config = tmp_path / 'user_configs' / path.name
        user_config.parent.mkdir(exist_ok=True)
        user_config.write_text(f"_base_ = 'gersp_mm::{path.relative_to(CONFIGS).as_posix()}'\n")
        return str(user_config)
    return resolve


@pytest.fixture
def one_thread():
    """Run the model on one intra-op thread: on a shared 2-core machine contending threads make training
    (above all a dilated ResNet's backward) many times slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='session')
def tiny_monitor_run(tmp_path_factory) -> Tuple[Path, str]:
    """``tools/train.py configs/pretrain/gersp_r18_tiny_monitor.py``: the tiny GeRSP run with the k-NN monitor
    (2 epochs x 2 iterations, the monitor after each epoch, the default local visualizer backend). Returns its
    work dir and its output; one run per test process for every test that reads it."""
    work_dir = tmp_path_factory.mktemp('tiny_monitor')
    log = run_python('tools/train.py', 'configs/pretrain/gersp_r18_tiny_monitor.py', '--work-dir', work_dir)
    return work_dir, log
