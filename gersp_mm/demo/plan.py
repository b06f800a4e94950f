# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""What the demo compares: four backbone initialisations, each fine-tuned on the same two downstream tasks.

The three pre-trainings see the same images of each source for the same number of iterations, with the
same augmentation, optimizer and schedule (configs/demo/):

- ``gersp``: GeRSP, the contrastive loss on the aerial scenes plus the supervised loss on the natural
  patterns, one student (``gersp_r18_demo.py``);
- ``moco``: the same model without its classifier (``cls_head=None``), i.e. MoCo v2 on the aerial scenes
  only (``mocov2_r18_demo.py``);
- ``supervised``: an mmpretrain ``ImageClassifier`` trained on the natural patterns only
  (``resnet18_demo-natural.py``), as the paper's ImageNet-supervised baseline is a classifier trained on its
  natural source; it sees the natural images GeRSP's classifier sees (GeRSP cycles the smaller natural
  source to the length of an aerial epoch);
- ``random``: no pre-training (each host library's ResNet initialisation).
"""
import os.path as osp
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from gersp_mm.downstream.tasks import config_root


@dataclass(frozen=True)
class Initialisation:
    """A backbone initialisation of the comparison.

    Attributes:
        key (str): Short name, used in run folders (``pretrain_<key>``, ``<task>_<key>``).
        title (str): Column title in the results table.
        pretrain_config (str, optional): Config file in configs/demo of its pre-training; None for random.
    """

    key: str
    title: str
    pretrain_config: Optional[str]


@dataclass(frozen=True)
class DownstreamTask:
    """A downstream task of the demo.

    Attributes:
        key (str): Short name, used in run folders (``<key>_<init>``).
        title (str): Row title in the results table.
        metric_title (str): Metric name in the results table.
        metric (str): Metric key as the evaluator logs it.
        scale (float): Factor from the logged value to the reported one (percent).
        pretrained_config (str): Config file in configs/demo that loads a pre-trained backbone.
        random_config (str): Config file in configs/demo with the same settings from a random backbone.
    """

    key: str
    title: str
    metric_title: str
    metric: str
    scale: float
    pretrained_config: str
    random_config: str

    def config(self, init: str) -> str:
        """The config file of this task for an initialisation key."""
        return self.random_config if init == 'random' else self.pretrained_config


INITIALISATIONS: Tuple[Initialisation, ...] = (
    Initialisation('gersp', 'GeRSP', 'gersp_r18_demo.py'),
    Initialisation('moco', 'MoCo v2, aerial only', 'mocov2_r18_demo.py'),
    Initialisation('supervised', 'supervised, natural only', 'resnet18_demo-natural.py'),
    Initialisation('random', 'random init', None),
)
PRETRAININGS: Tuple[Initialisation, ...] = tuple(init for init in INITIALISATIONS if init.pretrain_config)

TASKS: Tuple[DownstreamTask, ...] = (
    DownstreamTask('det', 'DIOR-format detection, Faster R-CNN R18-FPN', 'VOC mAP@0.5 (%)', 'pascal_voc/mAP', 100.0,
                   'faster-rcnn_r18-gersp_fpn_demo-dior.py', 'faster-rcnn_r18-random_fpn_demo-dior.py'),
    DownstreamTask('cls', 'NWPU-format scene classification, ResNet-18', 'top-1 (%)', 'accuracy/top1', 1.0,
                   'resnet18-gersp_demo-nwpu.py', 'resnet18-random_demo-nwpu.py'),
)

#: The k-NN monitor's key in the pre-training logs (``KNNMonitorHook``, prefix ``monitor``).
KNN_METRIC = 'monitor/knn_top1'


def demo_config(name: str) -> str:
    """The path of a config file of configs/demo (in the checkout, or in an installed package)."""
    return osp.join(config_root(), 'configs', 'demo', name)


def init_titles() -> Dict[str, str]:
    """Initialisation key -> title, in the table's column order."""
    return {init.key: init.title for init in INITIALISATIONS}
