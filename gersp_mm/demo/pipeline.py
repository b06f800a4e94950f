# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The demo from start to end: data, three pre-trainings, eight fine-tunings per seed, results and pictures.

:class:`Demo` runs the stages in one process, each with its progress lines; what they write in the work dir is
listed in :mod:`.work_dir`.
"""
import json
import os
import os.path as osp
import time
from dataclasses import replace
from typing import IO, Dict, List, Optional, Sequence

from gersp_mm.analysis.seed_summary import Summary
from gersp_mm.downstream import display_path
from gersp_mm.fileio import atomic_write
from gersp_mm.utils.package_files import config_root, tool_path

from ..export import export_backbone
from .demo_data import FULL_SIZES, QUICK_SIZES, data_summary, dataset_contents
from .detections import Detections, ground_truth, predict
from .environment import run_environment
from .figures import plot_detections, plot_training_curves
from .logs import final_value
from .plan import DEMO_INITS, DEMO_TASKS, KNN_METRIC, PRETRAININGS, DemoInit, DemoTask
from .progress import LOGGER, StageClock, format_seconds
from .report import knn_summaries, results_block, results_header
from .run_configs import finetune_fields, pretrain_fields
from .runs import last_checkpoint, train, write_config
from .synthetic_scenes import SCENE_CLASSES, DemoDataRoots, write_demo_datasets
from .work_dir import clean_work_dir, summary_records, write_results_csv

#: Test scenes shown in detections.png.
GRID_IMAGES = 4
#: Relative cost of each kind of stage (CPU seconds of one thread, measured per iteration and per evaluation of
#: each kind of run), for the time left.
STAGE_COSTS = dict(data=27, pretrain_gersp=289, pretrain_moco=167, pretrain_supervised=137, det=87, cls=33, report=5)
#: Duration of the full demo with one seed on 2 CPU cores (printed at the start): 12.2 min measured on the
#: project's 2-core machine (2 threads, 2026-12-02).
EXPECTED_MINUTES = 12


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
        self.environment = run_environment(config_root())  # recorded with the numbers
        stages = ['data']
        for _ in self.seeds:
            stages += [f'pretrain_{init.label}' for init in PRETRAININGS]
            stages += [task.name for task in DEMO_TASKS.values() for _ in DEMO_INITS]
        self.clock = StageClock([STAGE_COSTS[stage] for stage in stages + ['report']])
        self.num_stages = len(stages) + 1

    def path(self, *parts: str) -> str:
        return osp.join(self.work_dir, *parts)

    def backbone_path(self, init: DemoInit, seed: int) -> str:
        """The backbone that a pre-trained init's pre-training with ``seed`` exports."""
        return self.path(f'seed{seed}', 'checkpoints', f'{init.label}_r18_backbone.pth')

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
        LOGGER.info(f'      {data_summary(self.sizes)} ...')
        self.data = write_demo_datasets(self.path('data'), self.seeds[0], self.sizes)
        for name, text in dataset_contents(self.sizes).items():
            LOGGER.info(f'      {text} -> {display_path(getattr(self.data, name))}')

    def _train(self, config: str, work_dir: str) -> object:
        LOGGER.info(f'      python {display_path(tool_path("train.py"))} {display_path(config)} '
                    f'--work-dir {display_path(work_dir)}')
        return train(config, work_dir, self.log)

    def pretrain(self, init: DemoInit, seed: int) -> None:
        fields = pretrain_fields(init, self.data, seed, self.quick)
        run = f'pretrain_{init.label}'
        config = write_config(self.path(f'seed{seed}', 'configs', f'{run}.py'), init.pretrain_config, **fields)
        self._train(config, self.path(f'seed{seed}', run))
        checkpoint = last_checkpoint(self.path(f'seed{seed}', run))
        out = self.backbone_path(init, seed)
        backbone = export_backbone(checkpoint, out).backbone
        tool = display_path(tool_path('model_converters', 'extract_backbone.py'))
        LOGGER.info(f'      exported the student backbone (recognised layout: {backbone.layout}; '
                    f'ResNet-{backbone.depth}; {len(backbone.state_dict)} tensors), as python {tool} '
                    f'{display_path(checkpoint)} {display_path(out)}')

    def finetune(self, task: DemoTask, init: DemoInit, seed: int) -> None:
        if init.pretrain_config is not None:
            init = replace(init, checkpoint=self.backbone_path(init, seed))
        fields = finetune_fields(task, init, self.data, seed, self.quick)
        run = f'{task.name}_{init.label}'
        config = write_config(self.path(f'seed{seed}', 'configs', f'{run}.py'), task.configs[init.variant], **fields)
        runner = self._train(config, self.path(f'seed{seed}', run))
        if task.name == 'det' and seed == self.seeds[0]:
            indices = range(min(GRID_IMAGES, len(runner.val_loop.dataloader.dataset)))
            if self.grid is None:
                self.grid = (*ground_truth(runner, indices), runner.val_loop.dataloader.dataset.metainfo['classes'])
            self.predictions[init.label] = predict(runner, indices)

    def summaries(self) -> List[Summary]:
        """The final metric of every task and init (over the seeds) and the final k-NN monitor values."""
        results = []
        for task in DEMO_TASKS.values():
            for init in DEMO_INITS:
                values = tuple(final_value(self.path(f'seed{seed}', f'{task.name}_{init.label}'), task.metric)
                               * task.scale for seed in self.seeds)
                results.append(Summary(task.name, init.label, task.metric, tuple(self.seeds), values))
        knn = {init.label: [final_value(self.path(f'seed{seed}', f'pretrain_{init.label}'), KNN_METRIC)
                            for seed in self.seeds] for init in PRETRAININGS}
        return results + knn_summaries(knn, self.seeds)

    def report(self, total_seconds: float) -> None:
        """Print and write the results block, the CSV/JSON and the pictures."""
        summaries = self.summaries()
        seeds = ' '.join(map(str, self.seeds))
        command = f'python tools/demo.py{" --quick" if self.quick else ""} --seeds {seeds}'
        header = results_header(command, len(self.seeds), format_seconds(total_seconds), self.environment)
        block = results_block(summaries, header, self.quick)
        for line in block.splitlines():
            LOGGER.info(f'      {line}')
        with atomic_write(self.path('results.md'), 'w') as f:
            f.write(block)
        write_results_csv(self.path('results.csv'), summaries)
        first = self.seeds[0]
        runs = {f'pretrain_{init.label}': self.path(f'seed{first}', f'pretrain_{init.label}')
                for init in PRETRAININGS}
        runs.update({f'{task.name}_{init.label}': self.path(f'seed{first}', f'{task.name}_{init.label}')
                     for task in DEMO_TASKS.values() for init in DEMO_INITS})
        plot_training_curves(runs, len(SCENE_CLASSES), self.path('training_curves.png'))
        images, truth, classes = self.grid
        plot_detections(images, truth, self.predictions, classes, self.path('detections.png'))
        self.summary_records = summary_records(summaries)

    def run(self) -> None:
        start = time.perf_counter()
        self.stage('Writing the synthetic datasets', self.write_data)
        for seed in self.seeds:
            for init in PRETRAININGS:
                self.stage(f'Pre-training {init.title} (seed {seed})', self.pretrain, init, seed)
            for task in DEMO_TASKS.values():
                for init in DEMO_INITS:
                    self.stage(f'Fine-tuning {task.title} from {init.title} (seed {seed})', self.finetune, task,
                               init, seed)
        self.stage('Results', lambda: self.report(time.perf_counter() - start))
        total = time.perf_counter() - start
        summary = dict(seeds=self.seeds, quick=self.quick, environment=self.environment, results=self.summary_records,
                       stage_seconds=self.stage_seconds, total_seconds=round(total, 1),
                       files=dict(results='results.md', table_csv='results.csv', curves='training_curves.png',
                                  detections='detections.png', log='demo.log'))
        with atomic_write(self.path('results.json'), 'w') as f:
            json.dump(summary, f, indent=2)
            f.write('\n')
        LOGGER.info(f'Wrote results.md (the README block), results.csv, results.json, training_curves.png, '
                    f'detections.png and demo.log in {display_path(self.work_dir)}')
        LOGGER.info(f'Demo finished in {format_seconds(total)}.')


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
    runs = len(seeds) * (len(PRETRAININGS) + len(DEMO_TASKS) * len(DEMO_INITS))
    minutes = EXPECTED_MINUTES * len(seeds)
    expected = 'about a minute' if quick else f'about {minutes} min on 2 idle CPU cores, longer on a busy one'
    LOGGER.info(f'GeRSP demo: {runs} training runs for seeds {list(seeds)}{" (quick)" if quick else ""}, '
                f'{expected}; work dir {display_path(work_dir)}, runner logs in {display_path(log_path)}\n')
    with open(log_path, 'w', encoding='utf-8') as log:
        Demo(work_dir, seeds, quick, log).run()
    return osp.join(work_dir, 'results.md')
