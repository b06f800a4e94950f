# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""What the demo compares: four backbone inits, each fine-tuned on the same two downstream tasks.

The demo speaks the downstream suite's vocabulary (:mod:`gersp_mm.downstream`): a task is a
:class:`~gersp_mm.downstream.TaskSpec` (its configs per init variant, the metric), an init an
:class:`~gersp_mm.downstream.Init` (a label and the config variant it runs with). Its three pre-trained inits
are checkpoints (the ``gersp`` variant of each task's configs, with the backbone exported from the
pre-training), the fourth is the suite's ``random`` init. The three pre-trainings see the same images of each
source for the same number of iterations, with the same augmentation, optimizer and schedule (configs/demo/):

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

from gersp_mm.downstream import Init, TaskSpec, variant_configs
from gersp_mm.utils.package_files import config_root

#: The config variants of the demo's tasks: a checkpoint's (``gersp``) and ``random``.
DEMO_VARIANTS = ('gersp', 'random')


def demo_config(name: str) -> str:
    """The path of a config file of configs/demo (in the checkout, or in an installed package)."""
    return osp.join(config_root(), 'configs', 'demo', name)


@dataclass(frozen=True)
class DemoInit(Init):
    """A backbone init of the demo: a suite :class:`~gersp_mm.downstream.Init` with its title and pre-training.

    A pre-trained init's ``checkpoint`` is the backbone its pre-training exports, set for each seed's runs
    (:func:`dataclasses.replace`); in the plan it is None.

    Attributes:
        title (str): Column title in the results table, name in the progress lines and the figures.
        pretrain_config (str, optional): The config of its pre-training (configs/demo); None for ``random``.
    """

    title: str = ''
    pretrain_config: Optional[str] = None


@dataclass(frozen=True)
class DemoTask(TaskSpec):
    """A downstream task of the demo: a suite :class:`~gersp_mm.downstream.TaskSpec` with its titles.

    Its ``name`` names the runs (``<name>_<init label>``), its ``configs`` (configs/demo) hold the
    :data:`DEMO_VARIANTS`.

    Attributes:
        title (str): Row title in the results table.
        metric_title (str): Metric name in the results table.
    """

    title: str = ''
    metric_title: str = ''


def _pretrained(label: str, title: str, pretrain_config: str) -> DemoInit:
    return DemoInit(label, 'gersp', title=title, pretrain_config=demo_config(pretrain_config))


def _task(name: str, gersp_config: str, metric: str, scale: float, title: str, metric_title: str) -> DemoTask:
    return DemoTask(name, variant_configs(demo_config(gersp_config), DEMO_VARIANTS), metric, scale, title=title,
                    metric_title=metric_title)


#: The inits compared, in the table's column order.
DEMO_INITS: Tuple[DemoInit, ...] = (
    _pretrained('gersp', 'GeRSP', 'gersp_r18_demo.py'),
    _pretrained('moco', 'MoCo v2, aerial only', 'mocov2_r18_demo.py'),
    _pretrained('supervised', 'supervised, natural only', 'resnet18_demo-natural.py'),
    DemoInit('random', 'random', title='random init'),
)
#: The inits with a pre-training, in the order they run.
PRETRAININGS: Tuple[DemoInit, ...] = tuple(init for init in DEMO_INITS if init.pretrain_config)

#: The downstream tasks (task name -> task), in the table's row order; the metric is the key its config's
#: evaluator logs (:func:`gersp_mm.downstream.primary_metric`).
DEMO_TASKS: Dict[str, DemoTask] = {task.name: task for task in (
    _task('det', 'faster-rcnn_r18-gersp_fpn_demo-dior.py', 'pascal_voc/mAP', 100.0,
          'DIOR-format detection, Faster R-CNN R18-FPN', 'VOC mAP@0.5 (%)'),
    _task('cls', 'resnet18-gersp_demo-nwpu.py', 'accuracy/top1', 1.0, 'NWPU-format scene classification, ResNet-18',
          'top-1 (%)'),
)}

#: The k-NN monitor's key in the pre-training logs (``KNNMonitorHook``, prefix ``monitor``).
KNN_METRIC = 'monitor/knn_top1'


def init_titles() -> Dict[str, str]:
    """Init label -> title, in the table's column order."""
    return {init.label: init.title for init in DEMO_INITS}
