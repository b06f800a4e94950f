# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The demo from start to end: data, three pre-trainings, eight fine-tunings per seed, results and pictures.

Everything lands in the work dir::

    data/                       the synthetic datasets (a function of the first seed)
    seed<N>/configs/<run>.py    the config of each run (re-run one with tools/train.py <config> --work-dir <dir>)
    seed<N>/<run>/              each run's work dir: pretrain_<init>, det_<init>, cls_<init>
    seed<N>/checkpoints/        the exported backbones (<init>_r18_backbone.pth)
    results.md                  the results block (table, what it shows, caveats), as README.md shows it
    results.csv, results.json   the same numbers, the time of each stage and the files written
    training_curves.png         pre-training losses, the k-NN monitor with its chance line, fine-tuning losses
    detections.png              ground truth and each init's detections on test scenes (first seed)
    demo.log                    the Runners' own console output
"""
import csv
import json
import os
import os.path as osp
import platform
import shutil
import time
from typing import IO, Dict, List, Optional, Sequence

from mmengine.config import Config

from gersp_mm.downstream import Summary, display_path
from gersp_mm.downstream.tasks import config_root
from gersp_mm.fileio import atomic_write

from ..export import export_backbone
from .detections import Detections, ground_truth, predict
from .figures import plot_detections, plot_training_curves
from .logs import final_value
from .plan import INITIALISATIONS, KNN_METRIC, PRETRAININGS, TASKS, DownstreamTask, Initialisation, demo_config
from .progress import LOGGER, StageClock, format_seconds
from .report import knn_summaries, results_block
from .runs import last_checkpoint, train, write_config
from .synthetic_scenes import (
    DET_CLASSES,
    NATURAL_CLASSES,
    SCENE_CLASSES,
    DemoDataRoots,
    DemoDataSizes,
    write_demo_datasets,
)

#: Dataset sizes of the full demo and of ``--quick``.
FULL_SIZES = DemoDataSizes()
QUICK_SIZES = DemoDataSizes(rs_images=32, natural_per_class=4, det_train=6, det_val=2, det_test=8,
                            scene_train_per_class=2, scene_test_per_class=2)
#: Test scenes shown in detections.png.
GRID_IMAGES = 4
#: Relative cost of each kind of stage (CPU seconds of one thread, measured per iteration and per evaluation of
#: each kind of run), for the time left.
STAGE_COSTS = dict(data=27, pretrain_gersp=289, pretrain_moco=167, pretrain_supervised=137, det=87, cls=33, report=5)
#: Duration of the full demo with one seed on 2 CPU cores (printed at the start): 12.2 min measured on the
#: project's 2-core machine (2 threads, 2026-12-02).
EXPECTED_MINUTES = 12
#: Files and folders the demo writes in its work dir (removed before a new run; nothing else is touched).
OUTPUT_FILES = ('results.md', 'results.csv', 'results.json', 'training_curves.png', 'detections.png', 'demo.log')


def clean_work_dir(work_dir: str) -> None:
    """Remove what an earlier demo wrote in ``work_dir`` (see the module docstring), nothing else."""
    if not osp.isdir(work_dir):
        return
    for name in os.listdir(work_dir):
        path = osp.join(work_dir, name)
        if osp.isdir(path) and (name == 'data' or (name.startswith('seed') and name[4:].isdigit())):
            shutil.rmtree(path)
        elif name in OUTPUT_FILES:
            os.remove(path)


class Demo:
    """The demo's stages, in one process, with the Runners' console output sent to a log file.

    Args:
        work_dir (str): Output folder.
        seeds (Sequence[int]): Seeds of the runs; the data is written with the first one.
        quick (bool): Tiny data and a few iterations (a smoke test whose numbers mean nothing).
        log (IO[str]): Where the Runners' console output goes.
    """

    def __init__(self, work_dir: str, seeds: Sequence[int], quick: bool, log: IO[str]) -> None:
        if not seeds or len(set(seeds)) != len(seeds):
            raise ValueError(f'seeds must be distinct and at least one, got {list(seeds)}')
        self.work_dir = work_dir
        self.seeds = list(seeds)
        self.quick = quick
        self.log = log
        self.sizes = QUICK_SIZES if quick else FULL_SIZES
        self.stage_seconds: Dict[str, Dict[str, float]] = {}  # wall-clock and CPU seconds of each stage
        self.predictions: Dict[str, List[Detections]] = {}
        self.grid: Optional[tuple] = None
        self.data: Optional[DemoDataRoots] = None
        stages = ['data']
        for _ in self.seeds:
            stages += [f'pretrain_{init.key}' for init in PRETRAININGS]
            stages += [task.key for task in TASKS for _ in INITIALISATIONS]
        self.clock = StageClock([STAGE_COSTS[stage] for stage in stages + ['report']])
        self.num_stages = len(stages) + 1

    def path(self, *parts: str) -> str:
        return osp.join(self.work_dir, *parts)

    def stage(self, title: str, run, *args) -> None:
        """Run one stage with its progress lines: the title, then its time and the time left."""
        number = self.clock.done + 1
        LOGGER.info(f'[{number}/{self.num_stages}] {title}')
        start, cpu_start = time.perf_counter(), time.process_time()
        run(*args)
        seconds = time.perf_counter() - start
        self.stage_seconds[f'{number:02d} {title}'] = dict(wall=round(seconds, 1),
                                                           cpu=round(time.process_time() - cpu_start, 1))
        left = self.clock.finish_stage(seconds)
        more = f'; about {format_seconds(left)} left for the demo' if number < self.num_stages else ''
        LOGGER.info(f'      done in {format_seconds(seconds)}{more}\n')

    # -- stages ------------------------------------------------------------------------------------------------

    def write_data(self) -> None:
        sizes = self.sizes
        LOGGER.info(f'      {sizes.rs_images} aerial scenes, {len(NATURAL_CLASSES)} x {sizes.natural_per_class} '
                    f'natural patterns, {sizes.det_train + sizes.det_val + sizes.det_test} DIOR-format and '
                    f'{len(SCENE_CLASSES) * (sizes.scene_train_per_class + sizes.scene_test_per_class)} '
                    'NWPU-format scenes ...')
        self.data = write_demo_datasets(self.path('data'), self.seeds[0], sizes)
        contents = dict(
            million_aid='Million-AID layout: unlabeled aerial scenes (the remote-sensing source)',
            imagenet=f'ImageNet layout: {len(NATURAL_CLASSES)} classes of labeled patterns (the natural source)',
            dior=f'DIOR format: {sizes.det_train} train + {sizes.det_val} val + {sizes.det_test} test scenes, '
            f'boxes of {len(DET_CLASSES)} classes',
            nwpu=f'NWPU-RESISC45 format: {len(SCENE_CLASSES)} classes x ({sizes.scene_train_per_class} train + '
            f'{sizes.scene_test_per_class} test) scenes')
        for name, text in contents.items():
            LOGGER.info(f'      {text} -> {display_path(getattr(self.data, name))}')

    def _train(self, config: str, work_dir: str) -> object:
        LOGGER.info(f'      python {display_path(tool_path("train.py"))} {display_path(config)} '
                    f'--work-dir {display_path(work_dir)}')
        return train(config, work_dir, self.log)

    def _schedule(self, epochs: int) -> dict:
        """Overrides of a ``--quick`` run: ``epochs`` epochs, one evaluation and one checkpoint at the end."""
        return dict(train_cfg=dict(max_epochs=epochs, val_interval=epochs),
                    default_hooks=dict(logger=dict(interval=1), checkpoint=dict(interval=epochs)))

    def pretrain(self, init: Initialisation, seed: int) -> None:
        base = demo_config(init.pretrain_config)
        rs_root, natural_root = self.data.million_aid + '/', self.data.imagenet + '/'
        dataset = dict(gersp=dict(rs=dict(data_root=rs_root), natural=dict(data_root=natural_root)),
                       moco=dict(data_root=rs_root), supervised=dict(data_root=natural_root))[init.key]
        hooks = Config.fromfile(base).custom_hooks
        for hook in hooks:
            if hook['type'] == 'KNNMonitorHook':
                hook['dataset']['data_root'] = self.data.nwpu
                if self.quick:
                    hook.update(interval=2, memory_per_class=2, query_per_class=2)
        fields = dict(train_dataloader=dict(sampler=dict(seed=seed), dataset=dataset),
                      custom_hooks=[hook.to_dict() if hasattr(hook, 'to_dict') else hook for hook in hooks],
                      randomness=dict(seed=seed))
        if self.quick:
            fields['train_dataloader']['batch_size'] = 8
            fields.update(self._schedule(1))
        run = f'pretrain_{init.key}'
        config = write_config(self.path(f'seed{seed}', 'configs', f'{run}.py'), base, **fields)
        self._train(config, self.path(f'seed{seed}', run))
        checkpoint = last_checkpoint(self.path(f'seed{seed}', run))
        out = self.path(f'seed{seed}', 'checkpoints', f'{init.key}_r18_backbone.pth')
        backbone = export_backbone(checkpoint, out).backbone
        tool = display_path(tool_path('model_converters', 'extract_backbone.py'))
        LOGGER.info(f'      exported the student backbone (recognised layout: {backbone.layout}; '
                    f'ResNet-{backbone.depth}; {len(backbone.state_dict)} tensors), as python {tool} '
                    f'{display_path(checkpoint)} {display_path(out)}')

    def finetune(self, task: DownstreamTask, init: Initialisation, seed: int) -> None:
        data_root = dict(det=self.data.dior + '/', cls=self.data.nwpu)[task.key]
        loader = dict(dataset=dict(data_root=data_root))
        fields = dict(train_dataloader=loader, val_dataloader=loader, test_dataloader=loader,
                      randomness=dict(seed=seed))
        if init.pretrain_config is not None:
            checkpoint = self.path(f'seed{seed}', 'checkpoints', f'{init.key}_r18_backbone.pth')
            fields['model'] = dict(backbone=dict(init_cfg=dict(checkpoint=checkpoint)))
        if self.quick:
            fields.update(self._schedule(2))
        run = f'{task.key}_{init.key}'
        config = write_config(self.path(f'seed{seed}', 'configs', f'{run}.py'), demo_config(task.config(init.key)),
                              **fields)
        runner = self._train(config, self.path(f'seed{seed}', run))
        if task.key == 'det' and seed == self.seeds[0]:
            indices = range(min(GRID_IMAGES, len(runner.val_loop.dataloader.dataset)))
            if self.grid is None:
                self.grid = (*ground_truth(runner, indices), runner.val_loop.dataloader.dataset.metainfo['classes'])
            self.predictions[init.key] = predict(runner, indices)

    def summaries(self) -> List[Summary]:
        """The final metric of every task and init (over the seeds) and the final k-NN monitor values."""
        results = []
        for task in TASKS:
            for init in INITIALISATIONS:
                values = tuple(final_value(self.path(f'seed{seed}', f'{task.key}_{init.key}'), task.metric) * task.scale
                               for seed in self.seeds)
                results.append(Summary(task.key, init.key, task.metric, tuple(self.seeds), values))
        knn = {init.key: [final_value(self.path(f'seed{seed}', f'pretrain_{init.key}'), KNN_METRIC)
                          for seed in self.seeds] for init in PRETRAININGS}
        return results + knn_summaries(knn, self.seeds)

    def report(self, total_seconds: float) -> None:
        """Print and write the results block, the CSV/JSON and the pictures."""
        summaries = self.summaries()
        seeds = ' '.join(map(str, self.seeds))
        command = f'python tools/demo.py{" --quick" if self.quick else ""} --seeds {seeds}'
        header = (f'`{command}`: {len(self.seeds)} seed(s), {format_seconds(total_seconds)} on {os.cpu_count()} CPU '
                  f'cores ({platform.processor() or platform.machine()}).')
        block = results_block(summaries, header, self.quick)
        for line in block.splitlines():
            LOGGER.info(f'      {line}')
        with atomic_write(self.path('results.md'), 'w') as f:
            f.write(block)
        with atomic_write(self.path('results.csv'), 'w') as f:
            writer = csv.writer(f)
            writer.writerow(('task', 'init', 'metric', 'seeds', 'values', 'mean', 'std'))
            for s in summaries:
                writer.writerow((s.task, s.init, s.metric, ';'.join(map(str, s.seeds)),
                                 ';'.join(f'{v:.4f}' for v in s.values), f'{s.mean:.4f}', f'{s.std:.4f}'))
        first = self.seeds[0]
        runs = {f'pretrain_{init.key}': self.path(f'seed{first}', f'pretrain_{init.key}') for init in PRETRAININGS}
        runs.update({f'{task.key}_{init.key}': self.path(f'seed{first}', f'{task.key}_{init.key}')
                     for task in TASKS for init in INITIALISATIONS})
        plot_training_curves(runs, len(SCENE_CLASSES), self.path('training_curves.png'))
        images, truth, classes = self.grid
        plot_detections(images, truth, self.predictions, classes, self.path('detections.png'))
        self.summary_records = [dict(task=s.task, init=s.init, metric=s.metric, seeds=list(s.seeds),
                                     values=[round(v, 4) for v in s.values], mean=round(s.mean, 4),
                                     std=round(s.std, 4)) for s in summaries]

    def run(self) -> None:
        start = time.perf_counter()
        titles = {init.key: init.title for init in INITIALISATIONS}
        self.stage('Writing the synthetic datasets', self.write_data)
        for seed in self.seeds:
            for init in PRETRAININGS:
                self.stage(f'Pre-training {titles[init.key]} (seed {seed})', self.pretrain, init, seed)
            for task in TASKS:
                for init in INITIALISATIONS:
                    self.stage(f'Fine-tuning {task.title} from {titles[init.key]} (seed {seed})', self.finetune,
                               task, init, seed)
        self.stage('Results', lambda: self.report(time.perf_counter() - start))
        total = time.perf_counter() - start
        summary = dict(seeds=self.seeds, quick=self.quick, results=self.summary_records,
                       stage_seconds=self.stage_seconds, total_seconds=round(total, 1),
                       files=dict(results='results.md', table_csv='results.csv', curves='training_curves.png',
                                  detections='detections.png', log='demo.log'))
        with atomic_write(self.path('results.json'), 'w') as f:
            json.dump(summary, f, indent=2)
            f.write('\n')
        LOGGER.info(f'Wrote results.md (the README block), results.csv, results.json, training_curves.png, '
                    f'detections.png and demo.log in {display_path(self.work_dir)}')
        LOGGER.info(f'Demo finished in {format_seconds(total)}.')


def tool_path(*parts: str) -> str:
    """A tool of the repository (``tools/...``), in the checkout or in an installed package's ``.mim``."""
    return osp.join(config_root(), 'tools', *parts)


def run_demo(work_dir: str, seeds: Sequence[int] = (0, ), quick: bool = False) -> str:
    """Run the demo into ``work_dir`` (see the module docstring); progress goes to the ``gersp_mm.demo`` logger.

    Args:
        work_dir (str): Output folder; what an earlier demo wrote there is replaced.
        seeds (Sequence[int]): Seeds of the runs; the data is written with the first one.
        quick (bool): Tiny data and a few iterations (about a minute): checks that every step runs.

    Returns:
        str: The path of ``results.md``.
    """
    work_dir = osp.abspath(work_dir)
    clean_work_dir(work_dir)
    os.makedirs(work_dir, exist_ok=True)
    log_path = osp.join(work_dir, 'demo.log')
    runs = len(seeds) * (len(PRETRAININGS) + len(TASKS) * len(INITIALISATIONS))
    minutes = EXPECTED_MINUTES * len(seeds)
    expected = 'about a minute' if quick else f'about {minutes} min on 2 idle CPU cores, longer on a busy one'
    LOGGER.info(f'GeRSP demo: {runs} training runs for seeds {list(seeds)}{" (quick)" if quick else ""}, '
                f'{expected}; work dir {display_path(work_dir)}, runner logs in {display_path(log_path)}\n')
    with open(log_path, 'w', encoding='utf-8') as log:
        Demo(work_dir, seeds, quick, log).run()
    return osp.join(work_dir, 'results.md')
