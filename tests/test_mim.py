# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""openmim on the package as ``tools/setup_env.sh`` installs it (the checkout, in place) and as a user installs
a release (sdist -> wheel -> install): ``mim train``/``test``/``run``/``search`` and ``gersp_mm::``
inheritance."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tests.helpers import ROOT, free_port
from tests.tiny_configs import random_checkpoint, tiny_cls_config

pytestmark = pytest.mark.slow  # mim commands that install, train and run the demo: minutes in all
MIM = Path(sys.executable).parent / 'mim'  # the console script users type
ONE_EPOCH = ['train_cfg.max_epochs=1', 'param_scheduler.0.periods=[1]', 'param_scheduler.0.restart_weights=[1.0]']


def run(args, cwd, env):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f'{args} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}'
    return result.stdout + result.stderr


def test_the_setup_installs_the_checkout_where_mim_looks(tmp_path):
    """openmim finds a package's tools and configs in ``<location of its metadata>/<package>/.mim``: the setup
    installs the checkout in place, so that is the checkout (a PEP 660 editable install would leave the
    metadata, and so mim's search, in site-packages). Checked from another folder, as a user runs mim."""
    code = 'import gersp_mm; from mim.utils import get_installed_path; print(get_installed_path("gersp_mm"))'
    out = subprocess.run([sys.executable, '-c', code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(ROOT / 'gersp_mm'), 'run `bash tools/setup_env.sh` (it installs gersp_mm in place)'
    for name in ('configs', 'tools', 'model-index.yml'):  # committed symlinks
        assert (ROOT / 'gersp_mm' / '.mim' / name).resolve() == ROOT / name


def test_mim_train_run_test_and_search_the_development_install(tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS='1')
    log = run([MIM, 'train', 'gersp_mm', 'gersp_r18_tiny.py', '--work-dir', tmp_path / 'work',
               '--cfg-options', *ONE_EPOCH], tmp_path, env)
    # the checkout's own tool and config: edits show through at once
    assert f'{ROOT}/gersp_mm/.mim/tools/train.py {ROOT}/configs/pretrain/gersp_r18_tiny.py' in log
    checkpoint = tmp_path / 'work' / 'epoch_1.pth'

    run([MIM, 'run', 'gersp_mm', 'extract_backbone', checkpoint, tmp_path / 'r18.pth'], tmp_path, env)
    student = torch.load(checkpoint, map_location='cpu', weights_only=False)['state_dict']
    exported = torch.load(tmp_path / 'r18.pth', map_location='cpu', weights_only=True)['state_dict']
    assert torch.equal(exported['backbone.layer4.1.conv2.weight'], student['backbone.layer4.1.conv2.weight'])

    config = tiny_cls_config(tmp_path)
    log = run([MIM, 'test', 'gersp_mm', config, '--checkpoint', random_checkpoint(config, tmp_path / 'cls.pth'),
               '--out', 'preds.pkl'], tmp_path, env)
    assert f'{ROOT}/gersp_mm/.mim/tools/test.py {config}' in log and 'accuracy/top1' in log
    assert (tmp_path / 'preds.pkl').is_file()
    # what cannot be tested says so in one sentence (mim then reports the failed command)
    failed = subprocess.run([MIM, 'test', 'gersp_mm', 'gersp_r18_tiny.py', '--checkpoint', str(checkpoint)],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert failed.returncode != 0
    assert 'gersp_r18_tiny.py has no test_dataloader, test_cfg, test_evaluator: only detection, segmentation and ' \
           'classification configs can be tested' in failed.stderr

    out = run([MIM, 'search', 'gersp_mm'], tmp_path, env)
    assert 'config id: gersp_r50\n' in out and 'config id: faster-rcnn_r50-gersp_fpn_2x_dior\n' in out


def test_mim_download_fails_as_docs_mim_md_says(tmp_path):
    """No weights are published: openmim's own errors, quoted in docs/mim.md so that a user recognises them."""
    docs = (ROOT / 'docs' / 'mim.md').read_text()
    for args, error in ((['download', 'gersp_mm'], 'ValueError: Please specify config or dataset to download!'),
                        (['download', 'gersp_mm', '--config', 'gersp_r50', '--dest', str(tmp_path)],
                         "but got {'weight'}")):
        result = subprocess.run([MIM, *args], cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert result.returncode != 0 and error in result.stderr, result.stderr[-2000:]
        assert error in docs.replace('\n', ' ').replace('Index([...]), ', '')
    assert not list(tmp_path.glob('*.pth'))


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    """Build the sdist, a wheel from it (as pip does for a PyPI sdist), and install the wheel into its own
    site folder. Returns ``(site, env)``: ``env`` puts that install ahead of the checkout's in-place install."""
    tmp = tmp_path_factory.mktemp('release')
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    # the build's egg-info goes to tmp: the checkout's own is the in-place install's metadata
    run([sys.executable, 'setup.py', '-q', 'egg_info', '--egg-base', str(tmp), 'sdist', '-d', str(tmp / 'sdist')],
        ROOT, env)
    sdist, = (tmp / 'sdist').glob('gersp_mm-*.tar.gz')
    pip = [sys.executable, '-m', 'pip', '--disable-pip-version-check']
    run([*pip, 'wheel', '-q', '--no-deps', '--no-build-isolation', '-w', str(tmp / 'wheel'), str(sdist)], tmp, env)
    wheel, = (tmp / 'wheel').glob('gersp_mm-*.whl')
    run([*pip, 'install', '-q', '--no-deps', '--target', str(tmp / 'site'), str(wheel)], tmp, env)
    env['PYTHONPATH'] = os.pathsep.join([str(tmp / 'site'), env.get('PYTHONPATH', '')])
    return tmp / 'site', env


def test_wheel_ships_configs_tools_model_index_and_sample_images_as_files(installed, tmp_path):
    site, env = installed
    mim = site / 'gersp_mm' / '.mim'
    for name in ('configs/pretrain/gersp_r50.py', 'configs/det/_base_/datasets/dior.py', 'tools/train.py',
                 'tools/dist_train.sh', 'tools/model_converters/extract_backbone.py', 'model-index.yml',
                 'configs/cls/metafile.yml'):
        assert (mim / name).is_file() and not (mim / name).is_symlink(), name
    # the tiny configs' sample images, where the installed configs find them from their own folder
    (tmp_path / 'my_monitor.py').write_text("_base_ = 'gersp_mm::pretrain/gersp_r18_tiny_monitor.py'\n")
    code = ('import os; import gersp_mm; from mmengine.config import Config; '
            "cfg = Config.fromfile('my_monitor.py'); "
            'roots = [cfg.train_dataloader.dataset.rs.data_root, cfg.train_dataloader.dataset.natural.data_root, '
            'cfg.custom_hooks[-1].dataset.data_root]; '
            'print(*(f"{os.path.realpath(root)} {len(os.listdir(root))}" for root in roots), sep="\\n")')
    roots = subprocess.run([sys.executable, '-c', code], cwd=tmp_path, env=env, capture_output=True, text=True,
                           check=True).stdout.split()
    data = os.path.realpath(mim / 'tests' / 'data')
    assert roots == [f'{data}/pretrain/rs', '2', f'{data}/pretrain/natural', '2', f'{data}/cls/nwpu', '2']
    # building the release leaves the checkout's links alone
    assert (ROOT / 'gersp_mm' / '.mim' / 'configs').resolve() == ROOT / 'configs'


def test_mim_train_on_two_processes_then_mim_run_export(installed, tmp_path):
    site, env = installed
    mim = [sys.executable, '-m', 'mim']
    # a config named without its folder is looked up inside the installed package; `--launcher pytorch`
    # starts the processes with torch.distributed.launch (gloo on CPU)
    log = run([*mim, 'train', 'gersp_mm', 'gersp_r18_tiny.py', '--launcher', 'pytorch', '--gpus', '2',
               '--port', str(free_port()), '--work-dir', str(tmp_path / 'work'), '--cfg-options', *ONE_EPOCH],
              tmp_path, env)
    assert f'{site}/gersp_mm/.mim/tools/train.py {site}/gersp_mm/.mim/configs/pretrain/gersp_r18_tiny.py' in log
    assert 'Distributed training: True' in log
    checkpoint = tmp_path / 'work' / 'epoch_1.pth'
    student = torch.load(checkpoint, map_location='cpu', weights_only=False)['state_dict']
    # 2 ranks x 4 samples x 2 iterations enqueued (one process alone would stand at 8)
    assert int(student['queue.ptr']) == 16

    run([*mim, 'run', 'gersp_mm', 'extract_backbone', str(checkpoint), str(tmp_path / 'r18.pth')], tmp_path, env)
    exported = torch.load(tmp_path / 'r18.pth', map_location='cpu', weights_only=True)['state_dict']
    key = 'backbone.layer4.1.conv2.weight'
    assert torch.equal(exported[key], student[key])


def test_user_config_inherits_the_installed_package_and_trains_with_mim(installed, tmp_path):
    site, env = installed
    (tmp_path / 'my_gersp.py').write_text(
        "_base_ = 'gersp_mm::pretrain/gersp_r18_tiny.py'\n"
        'model = dict(alpha=0.25)\n')
    code = ('import gersp_mm; from mmengine.config import Config; '
            "cfg = Config.fromfile('my_gersp.py'); print(gersp_mm.__file__, cfg.model.alpha, cfg.model.backbone.depth)")
    out = run([sys.executable, '-c', code], tmp_path, env)
    assert f'{site}/gersp_mm/__init__.py 0.25 18' in out
    run([sys.executable, '-m', 'mim', 'train', 'gersp_mm', 'my_gersp.py', '--work-dir', str(tmp_path / 'work'),
         '--cfg-options', *ONE_EPOCH], tmp_path, env)
    assert (tmp_path / 'work' / 'epoch_1.pth').is_file()


def test_the_main_job_runs_from_the_installed_package(installed, tmp_path):
    site, env = installed
    log = run([sys.executable, '-m', 'mim', 'run', 'gersp_mm', 'demo', '--quick', '--work-dir', str(tmp_path / 'demo')],
              tmp_path, env)
    assert f'{site}/gersp_mm/.mim/tools/train.py' in log  # the package's own tools and configs
    assert 'GeRSP' in (tmp_path / 'demo' / 'results.md').read_text()  # the demo's results table


def test_mim_search_reads_the_installed_model_index(installed, tmp_path):
    _, env = installed
    out = run([sys.executable, '-m', 'mim', 'search', 'gersp_mm'], tmp_path, env)
    for config in ('gersp_r50', 'faster-rcnn_r50-gersp_fpn_2x_dior', 'resnet50-gersp_8xb32_nwpu45-20p'):
        assert f'config id: {config}\n' in out
    assert 'configs/pretrain/README.md' in out
