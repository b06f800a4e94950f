# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The task table: configs exist and load, metric keys match the evaluators, paper numbers match docs/downstream.md."""
import functools
import shutil

import mmengine.config.config
import pytest
from mmdet.evaluation import VOCMetric
from mmengine.config import Config
from mmpretrain.evaluation import Accuracy
from mmrotate.evaluation import DOTAMetric
from mmseg.evaluation import IoUMetric

import gersp_mm.downstream as downstream
from gersp_mm.downstream import (
    EVALUATOR_METRICS,
    PAPER_COLUMNS,
    TASKS,
    VARIANTS,
    primary_metric,
    resolve_task,
    variant_configs,
)
from gersp_mm.seg.metrics import ClassSubsetIoUMetric
from tests.helpers import ROOT


@pytest.fixture
def cached_external_bases(monkeypatch):
    """mmengine re-reads every metafile of mmdet / mmseg / mmpretrain to resolve each ``pkg::`` base (and raises
    ValueError for bases without a metafile); both depend only on the arguments: memoize them, so the 42 configs
    load in seconds."""
    resolve = mmengine.config.config._get_external_cfg_path

    @functools.lru_cache(maxsize=None)
    def lookup(package_path: str, cfg_path: str):
        try:
            return resolve(package_path, cfg_path), None
        except ValueError as err:
            return None, err.args

    def cached(package_path: str, cfg_path: str) -> str:
        path, error = lookup(package_path, cfg_path)
        if error is not None:
            raise ValueError(*error)
        return path

    monkeypatch.setattr(mmengine.config.config, '_get_external_cfg_path', cached)


def test_every_task_config_exists_loads_and_logs_the_table_metric(cached_external_bases):
    for task in TASKS.values():
        assert set(task.configs) == set(VARIANTS), task.name
        if task.kind == 'frozen':  # one config for every init: tests/frozen_eval/test_downstream_frozen_task.py
            continue
        for variant, path in task.configs.items():
            cfg = Config.fromfile(path)
            assert primary_metric(cfg) == (task.metric, task.scale), (task.name, variant)
            init_cfg = cfg.model.backbone.init_cfg
            if variant == 'gersp':  # the override the benchmark passes must land on a Pretrained init
                assert init_cfg.type == 'Pretrained' and 'checkpoint' in init_cfg, task.name
            if variant == 'in1k':
                assert init_cfg.checkpoint == 'torchvision://resnet50', task.name


def test_metric_prefixes_are_the_evaluators_own():
    classes = dict(VOCMetric=VOCMetric, IoUMetric=IoUMetric, ClassSubsetIoUMetric=ClassSubsetIoUMetric,
                   Accuracy=Accuracy, DOTAMetric=DOTAMetric)
    assert set(classes) == set(EVALUATOR_METRICS)
    for name, (prefix, _, _) in EVALUATOR_METRICS.items():
        assert classes[name].default_prefix == prefix, name


def test_paper_numbers_are_the_documented_table():
    rows = {'DIOR mAP': ['dior-frcnn', 'dior-retinanet', 'dior-dyhead'],
            'DOTA mAP': ['dota-frcnn', 'dota-retinanet', 'dota-dyhead'],
            'LoveDA mIoU': ['loveda-psanet', 'loveda-deeplabv3plus'],
            'EuroSAT / NWPU': ['eurosat', 'nwpu-20p']}
    readme = (ROOT / 'docs' / 'downstream.md').read_text(encoding='utf-8')
    checked = set()
    for line in readme.splitlines():
        cells = [cell.strip() for cell in line.strip('|').split('|')]
        names = next((tasks for prefix, tasks in rows.items() if cells[0].startswith(prefix)), None)
        if names is None or len(cells) != 5:
            continue
        for column, cell in zip(PAPER_COLUMNS, cells[1:]):
            for task, value in zip(names, cell.split(' / ')):
                assert TASKS[task].paper[column] == float(value), (task, column)
                checked.add(task)
    assert checked == {task for names in rows.values() for task in names}
    assert TASKS['nwpu-10p'].paper == TASKS['nwpu-20p'].paper and TASKS['nwpu-10p'].note
    assert all(not task.paper and task.note for name, task in TASKS.items() if name.startswith('potsdam'))
    oriented = [name for name, task in TASKS.items() if task.metric == 'dota/mAP']
    assert oriented == ['dior-r-orcnn', 'dior-r-rretinanet', 'dota-orcnn', 'dota-rretinanet']
    assert all(not TASKS[name].paper and TASKS[name].note for name in oriented)


def test_config_paths_as_tasks(tmp_path):
    table_config = TASKS['dior-frcnn'].configs['in1k']
    assert resolve_task(table_config) is TASKS['dior-frcnn']
    # a copy outside the table: named after the file, variants found next to it, metric from its evaluator
    for variant in ('gersp', 'random'):
        shutil.copy(TASKS['eurosat'].configs[variant], tmp_path / f'my-{variant}_eurosat.py')
    (tmp_path / 'my-gersp_eurosat.py').write_text(
        f"_base_ = {TASKS['eurosat'].configs['gersp']!r}\nval_evaluator = dict(type='Accuracy', topk=1)\n")
    (tmp_path / 'my-random_eurosat.py').write_text("_base_ = './my-gersp_eurosat.py'\n")
    task = resolve_task(str(tmp_path / 'my-random_eurosat.py'))
    assert task.name == 'my_eurosat' and set(task.configs) == {'gersp', 'random'}
    assert (task.metric, task.scale, dict(task.paper)) == ('accuracy/top1', 1.0, {})
    with pytest.raises(ValueError, match="unknown task 'nwpu'; valid tasks: dior-frcnn, .*, eurosat"):
        resolve_task('nwpu')
    with pytest.raises(FileNotFoundError, match='missing.py'):
        resolve_task(str(tmp_path / 'missing.py'))


def test_primary_metric_of_evaluator_forms():
    assert primary_metric(Config(dict(val_evaluator=dict(type='mmdet.VOCMetric', prefix='voc')))) == ('voc/mAP', 100.0)
    assert primary_metric(Config(dict(test_evaluator=[dict(type='CocoMetric'), dict(type='IoUMetric')]))) == \
        ('mIoU', 1.0)
    with pytest.raises(ValueError, match="no evaluator with a known primary metric in \\['CocoMetric'\\]"):
        primary_metric(Config(dict(val_evaluator=dict(type='CocoMetric'))))


def test_the_package_exports_the_frozen_task_kind_as_it_exports_fine_tuning():
    """Each kind's metric, command and result reader are public names of ``gersp_mm.downstream``."""
    assert {'KINDS', 'FROZEN_METRIC', 'frozen_command', 'read_frozen_result', 'train_command',
            'read_final_result', 'primary_metric'} <= set(downstream.__all__)
    assert all(hasattr(downstream, name) for name in downstream.__all__)
    assert downstream.KINDS == tuple(dict.fromkeys(task.kind for task in TASKS.values()))
    assert {task.metric for task in TASKS.values() if task.kind == 'frozen'} == {downstream.FROZEN_METRIC}


def test_a_tasks_variant_configs_are_named_after_its_gersp_config():
    configs = variant_configs('configs/det/faster-rcnn_r50-gersp_fpn_2x_dior.py')
    assert configs == {variant: f'configs/det/faster-rcnn_r50-{variant}_fpn_2x_dior.py' for variant in VARIANTS}
    assert variant_configs('a/x-gersp_y.py', ('gersp', 'random')) == {'gersp': 'a/x-gersp_y.py',
                                                                       'random': 'a/x-random_y.py'}
