# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The tools that mmdet and mmseg ship (unmodified, from the installed packages) on this package's configs:
``browse_dataset.py``, ``print_config.py``, ``get_flops.py``, ``train.py`` and ``test.py``; and the
visualizers that make the first of them work while keeping two Runners of one process apart."""
import os
import re
import subprocess
import sys
from pathlib import Path

import mmdet
import mmseg
import pytest
from mmengine.config import Config
from mmengine.registry import MODELS, VISUALIZERS, init_default_scope
from mmengine.visualization import Visualizer
from PIL import Image

from tests.tiny_configs import ROOT, random_checkpoint, tiny_det_config, tiny_seg_config

TOOLS = {'det': Path(mmdet.__file__).parent / '.mim' / 'tools', 'seg': Path(mmseg.__file__).parent / '.mim' / 'tools'}
TINY = {'det': tiny_det_config, 'seg': tiny_seg_config}
CONFIGS = {'det': ROOT / 'configs/det/faster-rcnn_r50-gersp_fpn_2x_dior.py',
           'seg': ROOT / 'configs/seg/potsdam/deeplabv3plus_r50-gersp-d8_4xb4-80k_potsdam-512x512.py'}


def run_host_tool(task, tool, *args, cwd):
    env = dict(os.environ, OMP_NUM_THREADS='1')
    result = subprocess.run([sys.executable, str(TOOLS[task] / tool), *map(str, args)], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result.stdout + result.stderr


def parameters_in_millions(log):
    return float(re.search(r'Params: ([\d.]+)M', log).group(1))


@pytest.mark.parametrize('task', ['det', 'seg'])
def test_browse_dataset(task, tmp_path):
    """The host's browse_dataset.py builds the config's visualizer without a name."""
    run_host_tool(task, 'analysis_tools/browse_dataset.py', TINY[task](tmp_path), '--output-dir', 'browsed',
                  '--not-show', cwd=tmp_path)
    train_images = {'det': ['00001.jpg', '00002.jpg'],  # DIOR trains on trainval
                    'seg': ['2_10_0_0_512_512.png', '3_11_0_0_64_64.png']}[task]
    browsed = sorted((tmp_path / 'browsed').iterdir())
    assert [path.name for path in browsed] == train_images
    assert all(Image.open(path).size[0] > 0 for path in browsed)


@pytest.mark.parametrize('task', ['det', 'seg'])
def test_print_config(task, tmp_path):
    log = run_host_tool(task, 'misc/print_config.py', CONFIGS[task], cwd=tmp_path)
    visualizer = {'det': 'PerRunDetLocalVisualizer', 'seg': 'PerRunSegLocalVisualizer'}[task]
    assert f"type='{visualizer}'" in log and "checkpoint='checkpoints/gersp_r50_backbone.pth'" in log


def test_get_flops_of_a_detector(tmp_path):
    """mmdet's get_flops.py runs the model on an image of the dataset; its parameter count is the model's."""
    config = tiny_det_config(tmp_path)
    log = run_host_tool('det', 'analysis_tools/get_flops.py', config, '--num-images', '1', cwd=tmp_path)
    cfg = Config.fromfile(str(config))
    init_default_scope('mmdet')
    expected = sum(p.numel() for p in MODELS.build(cfg.model).parameters()) / 1e6
    assert abs(parameters_in_millions(log) - expected) < 0.01
    assert re.search(r'Flops: [\d.]+G', log)


def test_mmseg_get_flops_is_broken_by_the_pinned_mmengine(tmp_path):
    """mmseg 1.2.2's get_flops.py passes both ``input_shape`` and ``inputs`` to mmengine 0.10.7's
    ``get_model_complexity_info``, which refuses that for any model (mmseg's own configs fail alike; the
    README says so). When this test fails, mmseg's tool works: update the README."""
    result = subprocess.run([sys.executable, str(TOOLS['seg'] / 'analysis_tools/get_flops.py'), str(CONFIGS['seg']),
                             '--shape', '64', '64'], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1
    assert result.stderr.strip().endswith('ValueError: "input_shape" and "inputs" cannot be both set.')


@pytest.mark.slow
def test_segmentor_with_mmseg_own_train_and_test_scripts(tmp_path):
    config = tiny_seg_config(tmp_path)
    log = run_host_tool('seg', 'train.py', config, '--work-dir', 'work', cwd=tmp_path)
    assert 'mIoU' in log
    log = run_host_tool('seg', 'test.py', config, tmp_path / 'work' / 'iter_1.pth', '--work-dir', 'work',
                        '--show-dir', 'painted', cwd=tmp_path)
    assert 'mIoU' in log and (tmp_path / 'painted' / 'vis_data').is_dir()


@pytest.mark.slow
def test_detector_with_mmdet_own_test_script(tmp_path):
    """mmdet's train.py is run by tests/test_end_to_end.py; here its test.py, with the flags it offers."""
    config = tiny_det_config(tmp_path)
    checkpoint = random_checkpoint(config, tmp_path / 'detector.pth')
    log = run_host_tool('det', 'test.py', config, checkpoint, '--work-dir', 'work', '--out', 'dets.pkl',
                        '--show-dir', 'painted', cwd=tmp_path)
    assert 'pascal_voc/mAP' in log and (tmp_path / 'dets.pkl').is_file()
    assert sorted(path.name for path in (tmp_path / 'work').glob('*/painted/*.jpg')) == ['11726.jpg', '11727.jpg']


@pytest.mark.parametrize('scope, visualizer', [('mmdet', 'PerRunDetLocalVisualizer'),
                                               ('mmrotate', 'PerRunRotLocalVisualizer'),
                                               ('mmseg', 'PerRunSegLocalVisualizer')])
def test_every_build_of_the_visualizers_is_a_new_visualizer(scope, visualizer, tmp_path):
    import gersp_mm.det.rotated  # noqa: F401  (registers the visualizers)
    import gersp_mm.seg  # noqa: F401
    init_default_scope(scope)

    def cfg(**kwargs):  # a new dict each time, as each Runner has its own config
        return dict(type=visualizer, vis_backends=[dict(type='LocalVisBackend')], **kwargs)

    # as a Runner builds it: named after the run; a second run of the same name in the same second
    first = VISUALIZERS.build(cfg(name=f'run_{scope}', save_dir=str(tmp_path / 'first')))
    second = VISUALIZERS.build(cfg(name=f'run_{scope}', save_dir=str(tmp_path / 'second')))
    assert type(first).__name__ == visualizer and first is not second
    assert (first.instance_name, second.instance_name) == (f'run_{scope}', f'run_{scope}-2')
    assert Visualizer.get_current_instance() is second  # what the hooks draw on
    first.add_scalars({'loss': 1.0})
    second.add_scalars({'loss': 2.0})
    for run, loss in (('first', 1.0), ('second', 2.0)):
        assert f'"loss": {loss}' in (tmp_path / run / 'vis_data' / 'scalars.json').read_text()
    # as browse_dataset.py builds it: no name
    unnamed = VISUALIZERS.build(cfg())
    assert unnamed.instance_name.startswith(visualizer) and Visualizer.get_current_instance() is unnamed

