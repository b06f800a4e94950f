# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""GeRSP end to end on a laptop CPU, on built-in synthetic data: pre-train, export, fine-tune, compare.

The demo downloads nothing. It

1. writes a small two-source data set in the on-disk formats of the real ones: unlabeled aerial scenes
   (Million-AID folder), labeled shape/texture patterns (ImageNet ``train/<wnid>/``), and downstream data of
   the same aerial scenes: DIOR-format detection (VOC XMLs) and NWPU-RESISC45-format scene classification;
2. pre-trains GeRSP (ResNet-18) with ``tools/train.py`` on configs/demo/gersp_r18_demo.py;
3. exports the student backbone with ``tools/model_converters/extract_backbone.py``;
4. fine-tunes Faster R-CNN R18-FPN (DIOR, VOC mAP@0.5) and
5. a ResNet-18 scene classifier (NWPU, top-1), each once from the GeRSP weights and once from random
   initialisation with otherwise identical settings (configs/demo/*-gersp_* and *-random_*);
6. prints the results table and writes it (results.md/.csv/.json) with the loss curves (loss_curves.png).

Everything lands in the work dir: data/, configs/ (the configs of each run, to re-run one by hand with
``python tools/train.py <config> --work-dir <dir>``), one folder per run, and demo.log (the runners' logs).
The same seed gives the same data and results. About 5-7 minutes on 2 CPU cores; ``--quick`` runs every
step on tiny data in about a minute (a smoke test: its numbers mean nothing).

Examples::

    python tools/demo.py
    python tools/demo.py --seed 1 --work-dir work_dirs/demo_seed1
    python tools/demo.py --quick --work-dir work_dirs/demo_quick
"""
import argparse
import contextlib
import csv
import importlib.util
import io
import json
import logging
import os
import os.path as osp
import shutil
import sys
import time
from pprint import pformat
from typing import Callable, Dict, List, NamedTuple, Optional

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

from gersp_mm.cls import read_metric  # noqa: E402
from gersp_mm.demo import (  # noqa: E402
    DET_CLASSES,
    NATURAL_CLASSES,
    SCENE_CLASSES,
    DemoDataSizes,
    write_demo_datasets,
)
from gersp_mm.demo.progress import LOGGER  # noqa: E402

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO_CONFIGS = osp.join(ROOT, 'configs', 'demo')
TRAIN_TOOL = osp.join(ROOT, 'tools', 'train.py')
EXPORT_TOOL = osp.join(ROOT, 'tools', 'model_converters', 'extract_backbone.py')
INITS = ('gersp', 'random')
INIT_NAMES = dict(gersp='GeRSP', random='random')
# What the demo writes in its work dir (removed before a new run, nothing else is touched).
OUTPUTS = ('data', 'configs', 'checkpoints', 'pretrain', 'det_gersp', 'det_random', 'cls_gersp', 'cls_random',
           'demo.log', 'results.md', 'results.csv', 'results.json', 'loss_curves.png')
QUICK_SIZES = DemoDataSizes(rs_images=32, natural_per_class=4, det_train=6, det_val=2, det_test=8,
                            scene_train_per_class=2, scene_test_per_class=2)


class Task(NamedTuple):
    """A downstream task of the demo.

    Attributes:
        key (str): Short name, used for the run folders (``<key>_gersp``, ``<key>_random``).
        name (str): Name in the results table.
        metric_name (str): Metric name in the results table.
        metric (str): Metric key as the evaluator logs it.
        scale (float): Factor from the logged value to the reported one (percent).
        configs (dict[str, str]): Config file in configs/demo of each init.
    """
    key: str
    name: str
    metric_name: str
    metric: str
    scale: float
    configs: Dict[str, str]


TASKS = (
    Task('det', 'DIOR-format detection, Faster R-CNN R18-FPN', 'VOC mAP@0.5 (%)', 'pascal_voc/mAP', 100.0,
         dict(gersp='faster-rcnn_r18-gersp_fpn_demo-dior.py', random='faster-rcnn_r18-random_fpn_demo-dior.py')),
    Task('cls', 'NWPU-format scene classification, ResNet-18', 'top-1 (%)', 'accuracy/top1', 1.0,
         dict(gersp='resnet18-gersp_demo-nwpu.py', random='resnet18-random_demo-nwpu.py')),
)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--work-dir', default='work_dirs/demo', help='output folder (default: %(default)s)')
    parser.add_argument('--seed', type=int, default=0, help='seed of the data and of every run (default: 0)')
    parser.add_argument('--quick', action='store_true',
                        help='tiny data and a few iterations (about a minute): checks that every step runs')
    return parser.parse_args(argv)


def shown(path: str) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    relative = osp.relpath(path)
    return path if relative.startswith('..') else relative


def load_tool(path: str):
    """Import one of the repository's command-line tools (a script, not a package module)."""
    spec = importlib.util.spec_from_file_location(f'gersp_tool_{osp.basename(path)[:-3]}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_config(path: str, base: str, **fields) -> str:
    """Write a config inheriting ``base`` with ``fields`` overridden (merged as mmengine configs merge)."""
    lines = [f'_base_ = {base!r}']
    lines += [f'{name} = {pformat(value, width=110, sort_dicts=False)}' for name, value in fields.items()]
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(f'# Written by tools/demo.py; re-run with python {TRAIN_TOOL} <this file> --work-dir <dir>\n')
        f.write('\n'.join(lines) + '\n')
    return path


def read_scalars(work_dir: str) -> List[dict]:
    """The logged scalars of the newest run in an mmengine work dir (``<timestamp>/vis_data/scalars.json``)."""
    stamps = sorted((name for name in os.listdir(work_dir) if osp.isfile(
        osp.join(work_dir, name, 'vis_data', 'scalars.json'))), reverse=True)
    if not stamps:
        raise FileNotFoundError(f'no <timestamp>/vis_data/scalars.json in {work_dir}')
    with open(osp.join(work_dir, stamps[0], 'vis_data', 'scalars.json'), encoding='utf-8') as f:
        return [json.loads(line) for line in f if line.strip()]


def loss_curve(records: List[dict], key: str) -> List[tuple]:
    """``(iteration, value)`` of a logged training loss."""
    return [(record['step'], record[key]) for record in records if key in record and 'lr' in record]


class Demo:
    """The demo's steps, in one process, with the runners' console output sent to ``demo.log``.

    Args:
        work_dir (str): Output folder.
        seed (int): Seed of the data and of every run.
        quick (bool): Tiny data and a few iterations.
        log (io.TextIOBase): Where the runners' console output goes.
    """

    def __init__(self, work_dir: str, seed: int, quick: bool, log: io.TextIOBase) -> None:
        self.work_dir = work_dir
        self.seed = seed
        self.quick = quick
        self.log = log
        self.stage_times: Dict[str, float] = {}
        self.train_tool = load_tool(TRAIN_TOOL)
        self.export_tool = load_tool(EXPORT_TOOL)

    def path(self, *parts: str) -> str:
        return osp.join(self.work_dir, *parts)

    def stage(self, number: int, title: str, run: Callable[[], None]) -> None:
        LOGGER.info(f'[{number}/6] {title}')
        start = time.perf_counter()
        run()
        self.stage_times[title] = time.perf_counter() - start
        LOGGER.info(f'      done in {self.stage_times[title]:.0f} s\n')

    def train(self, config: str, work_dir: str) -> None:
        """Run ``tools/train.py`` in this process, its console output going to the log file."""
        LOGGER.info(f'      python {shown(TRAIN_TOOL)} {shown(config)} --work-dir {shown(work_dir)}')
        with contextlib.redirect_stdout(self.log), contextlib.redirect_stderr(self.log):
            self.train_tool.main([config, '--work-dir', work_dir])
        self.log.flush()

    def quick_schedule(self, epochs: int) -> dict:
        """Overrides that shorten a run to ``epochs`` epochs, with one evaluation and one checkpoint."""
        return dict(train_cfg=dict(max_epochs=epochs, val_interval=epochs),
                    default_hooks=dict(logger=dict(interval=1), checkpoint=dict(interval=epochs)))

    def write_data(self) -> None:
        sizes = QUICK_SIZES if self.quick else DemoDataSizes()
        self.data = write_demo_datasets(self.path('data'), self.seed, sizes)
        contents = dict(
            million_aid=f'Million-AID layout: {sizes.rs_images} unlabeled aerial scenes',
            imagenet=f'ImageNet layout: {len(NATURAL_CLASSES)} classes x {sizes.natural_per_class} labeled patterns',
            dior=f'DIOR format: {sizes.det_train} train + {sizes.det_val} val + {sizes.det_test} test scenes '
            f'with boxes of {len(DET_CLASSES)} classes',
            nwpu=f'NWPU-RESISC45 format: {len(SCENE_CLASSES)} classes x ({sizes.scene_train_per_class} train + '
            f'{sizes.scene_test_per_class} test) scenes')
        for name, text in contents.items():
            LOGGER.info(f'      {text} -> {shown(getattr(self.data, name))}')

    def pretrain(self) -> None:
        fields = dict(train_dataloader=dict(
            sampler=dict(seed=self.seed),
            dataset=dict(rs=dict(data_root=self.data.million_aid + '/'),
                         natural=dict(data_root=self.data.imagenet + '/'))),
            randomness=dict(seed=self.seed))
        if self.quick:
            fields['train_dataloader'].update(batch_size=8)
            fields.update(self.quick_schedule(1))
        config = write_config(self.path('configs', 'pretrain.py'), osp.join(DEMO_CONFIGS, 'gersp_r18_demo.py'),
                              **fields)
        self.train(config, self.path('pretrain'))

    def export(self) -> None:
        with open(self.path('pretrain', 'last_checkpoint'), encoding='utf-8') as f:
            checkpoint = f.read().strip()
        self.backbone = self.path('checkpoints', 'gersp_r18_backbone.pth')
        LOGGER.info(f'      python {shown(EXPORT_TOOL)} {shown(checkpoint)} '
                    f'{shown(self.backbone)}')
        output = io.StringIO()
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            status = self.export_tool.main([checkpoint, self.backbone])
        for line in output.getvalue().splitlines():
            LOGGER.info(f'      {line}')
        if status != 0:
            raise RuntimeError(f'exporting the backbone of {checkpoint} failed')

    def finetune(self, task: Task) -> None:
        data_root = dict(det=self.data.dior + '/', cls=self.data.nwpu)[task.key]
        for init in INITS:
            loader = dict(dataset=dict(data_root=data_root))
            fields = dict(train_dataloader=loader, val_dataloader=loader, test_dataloader=loader,
                          randomness=dict(seed=self.seed))
            if init == 'gersp':
                fields['model'] = dict(backbone=dict(init_cfg=dict(checkpoint=self.backbone)))
            if self.quick:
                fields.update(self.quick_schedule(2))
            config = write_config(self.path('configs', f'{task.key}_{init}.py'),
                                  osp.join(DEMO_CONFIGS, task.configs[init]), **fields)
            self.train(config, self.path(f'{task.key}_{init}'))

    def results(self) -> List[dict]:
        rows = []
        for task in TASKS:
            values = {init: read_metric(self.path(f'{task.key}_{init}'), task.metric) * task.scale for init in INITS}
            rows.append(dict(task=task.name, metric=task.metric_name, gersp=round(values['gersp'], 2),
                             random=round(values['random'], 2),
                             gain=round(values['gersp'] - values['random'], 2)))
        return rows

    def report(self) -> None:
        """Print the results table and write it (results.md, results.csv) with the loss curves."""
        self.rows = self.results()
        header = ('task', 'metric', 'GeRSP init', 'random init', 'GeRSP - random')
        table = [f'| {" | ".join(header)} |', f'|{"---|" * len(header)}']
        table += [f'| {row["task"]} | {row["metric"]} | {row["gersp"]:.2f} | {row["random"]:.2f} | '
                  f'{row["gain"]:+.2f} |' for row in self.rows]
        for line in table:
            LOGGER.info(f'      {line}')
        wins = sum(row['gain'] > 0 for row in self.rows)
        LOGGER.info(f'      GeRSP initialisation beats random initialisation on {wins} of {len(self.rows)} tasks'
                    f'{" (quick run: too short to mean anything)" if self.quick else ""}.')
        with open(self.path('results.md'), 'w', encoding='utf-8') as f:
            f.write(f'# GeRSP demo results (seed {self.seed}{", quick" if self.quick else ""})\n\n')
            f.write('\n'.join(table) + '\n')
        with open(self.path('results.csv'), 'w', encoding='utf-8', newline='') as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows([row['task'], row['metric'], row['gersp'], row['random'], row['gain']]
                             for row in self.rows)
        self.plot_losses()

    def write_summary(self, total_seconds: float) -> None:
        """Write results.json: the results, the time of each stage and the files written."""
        summary = dict(seed=self.seed, quick=self.quick, results=self.rows,
                       stage_seconds={name: round(seconds, 1) for name, seconds in self.stage_times.items()},
                       total_seconds=round(total_seconds, 1),
                       files=dict(table_md='results.md', table_csv='results.csv', loss_curves='loss_curves.png',
                                  log='demo.log', backbone=osp.relpath(self.backbone, self.work_dir)))
        with open(self.path('results.json'), 'w', encoding='utf-8') as f:
            json.dump(summary, f, indent=2)
            f.write('\n')
        LOGGER.info(f'Wrote {", ".join(summary["files"][key] for key in ("table_md", "table_csv", "loss_curves"))}, '
                    f'results.json and demo.log (the runners\' logs) in {shown(self.work_dir)}')

    def plot_losses(self) -> None:
        """Pre-training losses and the fine-tuning losses of both inits, one panel each."""
        figure, axes = plt.subplots(1, 1 + len(TASKS), figsize=(5 * (1 + len(TASKS)), 4))
        pretrain = read_scalars(self.path('pretrain'))
        for key in ('loss', 'loss_contrastive', 'loss_cls'):
            curve = loss_curve(pretrain, key)
            axes[0].plot(*zip(*curve), label=key)
        axes[0].set_title('GeRSP pre-training')
        for axis, task in zip(axes[1:], TASKS):
            for init, style in zip(INITS, ('-', '--')):
                curve = loss_curve(read_scalars(self.path(f'{task.key}_{init}')), 'loss')
                axis.plot(*zip(*curve), style, label=f'{INIT_NAMES[init]} init')
            axis.set_title(f'fine-tuning: {task.name}', fontsize=9)
        for axis in axes:
            axis.set_xlabel('iteration')
            axis.set_ylabel('training loss')
            axis.legend()
            axis.grid(alpha=0.3)
        figure.tight_layout()
        figure.savefig(self.path('loss_curves.png'), dpi=100)
        plt.close(figure)

    def run(self) -> None:
        start = time.perf_counter()
        self.stage(1, 'Writing the synthetic data sets', self.write_data)
        self.stage(2, 'Pre-training GeRSP (ResNet-18) on unlabeled scenes + labeled patterns', self.pretrain)
        self.stage(3, 'Exporting the student backbone', self.export)
        self.stage(4, f'Fine-tuning {TASKS[0].name}: GeRSP init, then random init', lambda: self.finetune(TASKS[0]))
        self.stage(5, f'Fine-tuning {TASKS[1].name}: GeRSP init, then random init', lambda: self.finetune(TASKS[1]))
        self.stage(6, 'Results', self.report)
        total = time.perf_counter() - start
        self.write_summary(total)
        LOGGER.info(f'Demo finished in {total:.0f} s.')


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    work_dir = osp.abspath(args.work_dir)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter('%(message)s'))
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False
    try:
        for name in OUTPUTS:
            path = osp.join(work_dir, name)
            if osp.isdir(path):
                shutil.rmtree(path)
            elif osp.exists(path):
                os.remove(path)
        os.makedirs(work_dir, exist_ok=True)
        LOGGER.info(f'GeRSP demo: seed {args.seed}, work dir {shown(work_dir)}'
                    f'{" (quick)" if args.quick else ""}; runner logs in {shown(work_dir)}/demo.log\n')
        with open(osp.join(work_dir, 'demo.log'), 'w', encoding='utf-8') as log:
            Demo(work_dir, args.seed, args.quick, log).run()
    except Exception:
        LOGGER.error(f'The demo failed: the traceback follows; the runners\' log is {shown(work_dir)}/demo.log')
        raise
    finally:
        LOGGER.removeHandler(handler)
    return 0


if __name__ == '__main__':
    sys.exit(main())
