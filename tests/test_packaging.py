# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The package skeleton: configs inherit upstream bases, light top-level import."""
import subprocess
import sys
from pathlib import Path

from mmengine.config import Config

DATA = Path(__file__).parent / 'data'


def test_importing_gersp_mm_does_not_require_mmdet_or_mmseg():
    """With mmdet and mmseg made unimportable, the top-level package and the mmpretrain parts still work."""
    code = ('import sys\n'
            'sys.modules["mmdet"] = sys.modules["mmseg"] = None  # any import of them raises ImportError\n'
            'import gersp_mm, gersp_mm.pretrain, gersp_mm.cls\n'
            'from mmpretrain.registry import MODELS\n'
            'assert MODELS.get("GeRSP") is not None\n')
    subprocess.run([sys.executable, '-c', code], check=True)
    out = subprocess.run([sys.executable, '-c', 'import sys, gersp_mm; print(sorted(sys.modules))'],
                         check=True, capture_output=True, text=True)
    assert "'mmdet'" not in out.stdout and "'mmseg'" not in out.stdout


def test_config_with_custom_imports_and_mmdet_base_builds():
    cfg = Config.fromfile(str(DATA / 'configs' / 'faster-rcnn_r50_fpn_custom-imports.py'))
    assert 'gersp_mm.det' in sys.modules
    assert cfg.model.type == 'FasterRCNN'
    assert cfg.model.roi_head.bbox_head.num_classes == 20
    assert cfg.default_scope == 'mmdet'
    from mmdet.registry import MODELS
    from mmengine.registry import init_default_scope
    init_default_scope(cfg.default_scope)
    detector = MODELS.build(cfg.model)
    assert type(detector).__name__ == 'FasterRCNN'


def test_environment_report_and_self_check():
    out = subprocess.run([sys.executable, '-m', 'gersp_mm.utils.collect_env', '--check'],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    report = {name.strip(): value for name, value in
              (line.split(' : ', 1) for line in out.stdout.splitlines() if ' : ' in line)}
    assert set(report) >= {'PyTorch', 'MMEngine', 'MMCV ops', 'mmcv', 'mmdet', 'mmseg', 'mmpretrain',
                           'gersp_mm'}
    assert report['MMCV ops'].startswith('available'), report['MMCV ops']
    assert out.stdout.count('[ok]') == 3 and '[FAIL]' not in out.stdout


def test_configs_inherit_installed_gersp_mm_configs(tmp_path):
    """`gersp_mm::` resolves through the package's .mim folder (setup.py exports configs and tools)."""
    import gersp_mm
    mim = Path(gersp_mm.__file__).parent / '.mim'
    assert (mim / 'configs' / 'pretrain' / 'gersp_r50.py').is_file()
    assert (mim / 'tools' / 'train.py').is_file() and (mim / 'model-index.yml').is_file()
    cfg = Config.fromfile(str(DATA / 'configs' / 'gersp-mm-scope_tiny.py'))
    assert cfg.model.type == 'GeRSP' and cfg.model.alpha == 0.5 and cfg.model.backbone.depth == 18
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS
    init_default_scope(cfg.default_scope)
    assert type(MODELS.build(cfg.model)).__name__ == 'GeRSP'


def test_model_index_lists_existing_configs():
    import yaml
    root = Path(__file__).resolve().parents[1]
    index = yaml.safe_load((root / 'model-index.yml').read_text())
    configs = []
    for metafile in index['Import']:
        meta = yaml.safe_load((root / metafile).read_text())
        assert all((root / collection['README']).is_file() for collection in meta['Collections']), metafile
        configs += [model['Config'] for model in meta['Models']]
    assert all((root / config).is_file() for config in configs)
    on_disk = {str(p.relative_to(root)) for area in ('pretrain', 'det', 'seg', 'cls')
               for p in (root / 'configs' / area).rglob('*.py') if '_base_' not in p.parts}
    # every benchmark config is indexed; the tiny test/demo configs are not
    assert set(configs) == {c for c in on_disk if 'tiny' not in c and 'monitor' not in c}
