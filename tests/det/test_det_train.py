# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""End to end on a tiny DIOR-format dataset: the metrics of the configs, and two training iterations."""
import math
from pathlib import Path

import torch
from mmdet.registry import DATASETS
from mmengine.config import Config
from mmengine.evaluator import Evaluator
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from tests.det.dior_helpers import dior_xml, write_dior

CONFIG = Path(__file__).parents[2] / 'configs' / 'det' / 'retinanet_r50-gersp_fpn_2x_dior.py'
OBJECTS = {
    '00001': [('vehicle', (4, 6, 12, 14)), ('Expressway-Service-area', (20, 20, 60, 50))],
    '00002': [('ship', (30, 5, 40, 9))],
    '00003': [('golffield', (2, 2, 62, 62))],
    '00004': [('storagetank', (10, 40, 18, 48)), ('storagetank', (20, 40, 28, 48))],
    '11726': [('airplane', (8, 8, 40, 30)), ('vehicle', (50, 50, 56, 54))],
    '11727': [('chimney', (16, 10, 30, 50))],
}


def tiny_dior(root: Path) -> Path:
    """Six 64x64 images in the real DIOR layout: train 00001-00002, val 00003-00004, test 11726-11727."""
    xmls = {img_id: dior_xml(img_id, objects, width=64, height=64) for img_id, objects in OBJECTS.items()}
    splits = dict(train=['00001', '00002'], val=['00003', '00004'], test=['11726', '11727'])
    return write_dior(root, xmls, splits, layout='nested', image_size=(64, 64))


def test_the_evaluators_score_the_ground_truth_as_perfect(tmp_path):
    """VOC and COCO metrics see the dataset's boxes in original image coordinates, with their labels."""
    cfg = Config.fromfile(str(CONFIG))
    init_default_scope('mmdet')
    dataset_cfg = cfg.val_dataloader.dataset
    dataset_cfg.data_root = str(tiny_dior(tmp_path / 'DIOR')) + '/'
    dataset = DATASETS.build(dataset_cfg)
    evaluator = Evaluator(cfg.val_evaluator)
    evaluator.dataset_meta = dataset.metainfo
    for index in range(len(dataset)):
        sample = dataset[index]['data_samples']
        assert sample.ori_shape == (64, 64) and sample.img_shape == (800, 800)
        gt = sample.gt_instances
        sample.pred_instances = gt.new(bboxes=gt.bboxes.tensor, labels=gt.labels, scores=torch.ones(len(gt)))
        evaluator.process([sample.to_dict()])
    metrics = evaluator.evaluate(len(dataset))
    assert metrics['pascal_voc/mAP'] == 1.0 and metrics['coco/bbox_mAP_50'] == 1.0


def test_train_two_iterations_and_evaluate(tmp_path, config_file):
    data_root = str(tiny_dior(tmp_path / 'DIOR')) + '/'
    cfg = Config.fromfile(config_file(CONFIG))
    cfg.work_dir = str(tmp_path / 'work')
    cfg.model.backbone.init_cfg = None  # nothing is downloaded
    cfg.model.test_cfg.score_thr = 0.0  # an untrained head scores below 0.05: keep its boxes for both metrics
    for loader in (cfg.train_dataloader, cfg.val_dataloader, cfg.test_dataloader):
        loader.update(batch_size=2, num_workers=0, persistent_workers=False)
        loader.dataset.data_root = data_root
        for transform in loader.dataset.pipeline:
            if transform.type == 'Resize':
                transform.scale = (64, 64)
    cfg.train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=1, val_begin=2)  # evaluated once, below
    cfg.default_hooks.checkpoint = None
    cfg.default_hooks.logger.interval = 1
    cfg.randomness = dict(seed=0)

    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2  # 4 trainval images, 2 per batch
    assert math.isfinite(runner.message_hub.get_scalar('train/loss').current())
    metrics = runner.val()
    assert {'pascal_voc/mAP', 'pascal_voc/AP50', 'coco/bbox_mAP', 'coco/bbox_mAP_50'} <= metrics.keys()
    assert all(0.0 <= metrics[key] <= 1.0 for key in ('pascal_voc/mAP', 'coco/bbox_mAP_50'))


def test_two_runners_in_one_process_log_to_their_own_folders(tmp_path):
    """mmdet's fixed visualizer name would hand the second Runner the first one's visualizer (and log
    folder); the configs' visualizer is built anew for each run."""
    runners = []
    for run in ('first', 'second'):
        cfg = Config.fromfile(str(CONFIG))
        cfg.work_dir = str(tmp_path / run)
        cfg.model.backbone.init_cfg = None
        runners.append(Runner.from_cfg(cfg))
    first, second = (runner.visualizer for runner in runners)
    # two Runners started within one second ask for the same run name: the second one gets a suffix
    assert first is not second and first.instance_name != second.instance_name
    for run, visualizer in zip(('first', 'second'), (first, second)):
        assert Path(visualizer._vis_backends['LocalVisBackend']._save_dir).is_relative_to(tmp_path / run)
