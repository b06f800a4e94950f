# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Run the downstream benchmark suite for backbone checkpoints and collect the results.

Each INIT is a checkpoint (``PATH``, labelled with its file name, or ``LABEL=PATH``), ``imagenet`` or
``random``. For every task x init x seed, one fine-tuning runs with the repository's own tools in its work
dir ``WORK_DIR/<task>/<init>/seed<N>``: a checkpoint with the task's ``-gersp`` config and
``--cfg-options model.backbone.init_cfg.checkpoint=PATH``, ``imagenet`` with its ``-in1k`` config,
``random`` with its ``-random`` config; the seed as ``randomness.seed=N``; ``--cfg-options`` given here
are appended to every run.

Data: each task reads the ``data_root`` of its configs (``data/<dataset>`` relative to the current folder
by default); ``--data-root TASK=PATH`` points one task's datasets at ``PATH`` (appended to that task's runs
after ``--cfg-options``; ``gersp_mm.downstream.data_roots``). The plan starts with the root each task reads.

Final result, skip and resume: the final result of a run is the primary metric of the validation that
mmengine runs after the last training epoch (iteration), read from ``<timestamp>/vis_data/scalars.json`` of
the newest log folder that logged the metric, at the final step of that folder's config
(``gersp_mm.downstream.results``). A run whose work dir has its final result is skipped; one without it but
with a checkpoint (``last_checkpoint``) is resumed with ``--resume``; any other starts from scratch. Work
dirs are identified by task, init label and seed only: use another ``--work-dir`` when changing the recipe
(a reused label with another checkpoint is refused). A run interrupted during its final validation resumes
into an already finished training and gets no final result: evaluate its last checkpoint with
``tools/test.py`` or delete the work dir.

Failures: a run that exits non-zero, or finishes without a final result, is reported and the suite goes on;
the exit code is 1 if any run failed. Unknown tasks, missing checkpoint files, bad options and
``--cfg-options`` that a task's config refuses (an override that would change nothing, e.g. a ``data_root``
variable the config does not use: ``gersp_mm.utils.config_overrides``) stop before anything runs (exit code 2),
and so do the preflight checks, also with ``--dry-run`` and ``--launcher slurm``
(``gersp_mm.downstream.preflight``): every training ``data_root`` and ``ann_file`` exists, every checkpoint
loads and holds a complete ResNet of the depth of each task's backbone (one line per problem).

Results: after local runs (or with ``--collect-only``) every run below ``--work-dir`` is collected into
``results.md`` (per task and init: mean +- sample std over seeds and n, next to the paper's numbers),
``results.csv`` and ``results.png`` in the work dir.

Launchers: ``local`` runs the runs one after the other, ``tools/train.py`` with ``--gpus 1`` and
``tools/dist_train.sh`` (torchrun) with more; ``slurm`` only prints the ``tools/slurm_train.sh`` commands
(``srun`` in the foreground: start them side by side, then ``--collect-only``). ``--dry-run`` prints the
commands of any launcher without running anything, with the skip / resume decisions. Printed commands form a
shell script (progress lines are ``#`` comments). The configs' recipes assume a total batch size (see
configs/*/README.md): with another ``--gpus``, keep it with ``--cfg-options train_dataloader.batch_size=N``
or add ``--auto-scale-lr``.

Tasks: {tasks}, or ``all``, or a config file path.

Examples::

    # GeRSP vs ImageNet vs random on NWPU-RESISC45 (20%) and EuroSAT, 3 seeds, one GPU each
    python tools/downstream_benchmark.py gersp=work_dirs/gersp_r50/epoch_100.pth imagenet random \\
        --tasks nwpu-20p eurosat --seeds 0 1 2
    # DIOR detection, GeRSP and GeRSP-200, 4 GPUs per run (torchrun) x 1 image: the protocol's batch of 4
    python tools/downstream_benchmark.py gersp=checkpoints/gersp_r50.pth gersp200=checkpoints/gersp_r50_200e.pth \\
        --tasks dior-frcnn dior-retinanet dior-dyhead --gpus 4 --cfg-options train_dataloader.batch_size=1
    # print the SLURM commands of the classification tasks (8 GPUs x 32 images), collect when the jobs are done
    python tools/downstream_benchmark.py checkpoints/gersp_r50.pth imagenet --tasks nwpu-10p nwpu-20p eurosat \\
        --seeds 0 1 2 --launcher slurm --partition gpu --gpus 8 > jobs.sh
    # a config of your own as a task (its -in1k / -random siblings are found by name)
    python tools/downstream_benchmark.py checkpoints/gersp_r50.pth imagenet \\
        --tasks my_configs/retinanet_r50-gersp_fpn_1x_xview.py
    python tools/downstream_benchmark.py --collect-only
    # see what would run (and what is finished or resumed)
    python tools/downstream_benchmark.py imagenet --tasks loveda-psanet --dry-run
    # each task's data where it is
    python tools/downstream_benchmark.py imagenet --tasks nwpu-20p dior-frcnn \
        --data-root nwpu-20p=/data/NWPU-RESISC45 dior-frcnn=/data/DIOR
"""
import argparse
import os.path as osp
import time
from collections import Counter
from datetime import timedelta
from typing import List, Optional, Sequence

from ..engine.config_checks import ConfigCheckError
from ..fileio import atomic_write
from . import (
    LAUNCHERS,
    TASKS,
    Init,
    Run,
    collect,
    format_markdown,
    inspect_run,
    parse_cfg_options,
    parse_init,
    plan_runs,
    plot,
    preflight,
    read_final_result,
    resolve_task,
    run_command,
    train_command,
    write_csv,
)
from .data_roots import data_root_options, parse_data_roots, training_data_roots
from .preflight import load_plan_configs

#: Overrides that the suite sets itself, from --seeds and the inits.
RESERVED_OPTIONS = ('randomness.seed', 'model.backbone.init_cfg.checkpoint')


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse and check the command line; plans the runs (``args.runs``) unless ``--collect-only``."""
    parser = argparse.ArgumentParser(
        usage='%(prog)s INIT [INIT ...] --tasks TASK [TASK ...] [options]\n'
        '       %(prog)s --collect-only [--work-dir WORK_DIR]',
        description='Fine-tune backbone inits on the downstream benchmark tasks and collect mean +- std over seeds.',
        epilog=__doc__.format(tasks=', '.join(TASKS)), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('inits', nargs='*', metavar='INIT',
                        help='backbone inits: a checkpoint PATH or LABEL=PATH, imagenet, random')
    parser.add_argument('--tasks', nargs='+', metavar='TASK', help='task names, all, or config file paths')
    parser.add_argument('--seeds', nargs='+', type=int, default=[0], help='randomness.seed of the runs (default: 0)')
    parser.add_argument('--gpus', type=int, default=1, help='GPUs (processes) per run (default: 1)')
    parser.add_argument('--launcher', choices=LAUNCHERS, default='local',
                        help='local: run here one after the other; slurm: print tools/slurm_train.sh commands')
    parser.add_argument('--partition', help='SLURM partition (with --launcher slurm)')
    parser.add_argument('--work-dir', default='work_dirs/benchmark',
                        help='root of the run work dirs and the results (default: work_dirs/benchmark)')
    parser.add_argument('--dry-run', action='store_true', help='print the commands, run nothing')
    parser.add_argument('--collect-only', action='store_true',
                        help='only rebuild results.md/csv/png from the runs below --work-dir')
    parser.add_argument('--amp', action='store_true', help='pass --amp to tools/train.py')
    parser.add_argument('--auto-scale-lr', action='store_true', help='pass --auto-scale-lr to tools/train.py')
    parser.add_argument('--cfg-options', nargs='+', default=[], metavar='KEY=VALUE',
                        help='config overrides for every run (after the seed and the checkpoint)')
    parser.add_argument('--data-root', nargs='+', default=[], metavar='TASK=PATH',
                        help="one task's data root: its datasets' data_root (default: its configs', e.g. "
                        'data/DIOR/ relative to the current folder)')
    args = parser.parse_args(argv)
    if args.collect_only:
        return args
    if not args.inits:
        parser.error('give at least one INIT (a checkpoint path, imagenet or random), or --collect-only')
    if not args.tasks:
        parser.error(f'give --tasks: {", ".join(TASKS)}, all, or config file paths')
    if args.gpus < 1:
        parser.error(f'--gpus must be at least 1, got {args.gpus}')
    if args.launcher == 'slurm' and not args.partition:
        parser.error('--launcher slurm needs --partition')
    for option in args.cfg_options:
        key = option.partition('=')[0]
        if '=' not in option:
            parser.error(f'--cfg-options takes KEY=VALUE, got {option!r}')
        if key in RESERVED_OPTIONS:
            parser.error(f'{key} is set by the suite: use --seeds and the INIT arguments')
    try:
        names = list(TASKS) if args.tasks == ['all'] else args.tasks
        args.tasks = [resolve_task(name) for name in names]
        args.inits = [parse_init(spec) for spec in args.inits]
        args.runs = plan_runs(args.tasks, args.inits, args.seeds, args.work_dir)
        data_roots = parse_data_roots(args.data_root, [task.name for task in args.tasks])
    except (ValueError, FileNotFoundError) as err:
        parser.error(str(err))
    missing = [init.checkpoint for init in args.inits
               if init.checkpoint is not None and '://' not in init.checkpoint and not osp.isfile(init.checkpoint)]
    if missing:
        parser.error(f'checkpoint file(s) not found: {", ".join(missing)}')
    try:
        configs = load_plan_configs(args.runs, args.cfg_options)
    except ConfigCheckError as err:  # an override a config refuses: one sentence naming the task and the key
        parser.exit(2, f'error: {err}\n')
    args.run_options, args.task_data = {}, {}  # config -> its --data-root overrides; task -> the roots it reads
    for run in args.runs:
        if run.task.name in data_roots and run.config not in args.run_options:
            args.run_options[run.config] = data_root_options(configs[run.config], data_roots[run.task.name])
            configs[run.config].merge_from_dict(parse_cfg_options(args.run_options[run.config]))
        args.task_data.setdefault(run.task.name, (training_data_roots(configs[run.config]),
                                                  run.task.name in data_roots))
    problems = preflight(args.runs, args.cfg_options, configs)
    if problems:
        parser.exit(2, ''.join(f'error: {problem}\n' for problem in problems)
                    + f'{len(problems)} problem(s) found before running anything: nothing was run.\n')
    return args


def _elapsed(start: float) -> str:
    return str(timedelta(seconds=int(time.monotonic() - start)))


def _describe(inits: List[Init]) -> str:
    return ', '.join(init.label + (f' ({init.checkpoint})' if init.checkpoint else '') for init in inits)


def execute(args: argparse.Namespace) -> List[str]:
    """Run (or print) every planned run; returns the messages of the failed ones."""
    runs: List[Run] = args.runs
    printing = args.dry_run or args.launcher == 'slurm'
    mark = '# ' if printing else ''
    train_args = [flag for flag, on in (('--amp', args.amp), ('--auto-scale-lr', args.auto_scale_lr)) if on]
    print(f'{mark}benchmark: {len(args.tasks)} task(s) x {len(args.inits)} init(s) x {len(args.seeds)} seed(s) '
          f'= {len(runs)} runs in {args.work_dir}; inits: {_describe(args.inits)}', flush=True)
    for task, (roots, given) in args.task_data.items():
        source = '--data-root' if given else f'its configs with --cfg-options; --data-root {task}=PATH to change'
        print(f'{mark}task {task} reads {", ".join(roots)} ({source})', flush=True)
    start = time.monotonic()
    failed: List[str] = []
    actions: Counter = Counter()
    for i, run in enumerate(runs, start=1):
        head = f'{mark}[{i}/{len(runs)}] {run.name}'
        try:
            state = inspect_run(run)
        except ValueError as err:
            failed.append(f'{run.name}: {err}')
            print(f'{head}: error: {err}', flush=True)
            continue
        actions[state.action] += 1
        if state.action == 'skip':
            result = state.result
            print(f'{head}: skip, finished ({result.metric} = {result.value:g} at step {result.step})', flush=True)
            continue
        command = train_command(run, state.action, args.launcher, args.gpus, args.partition, train_args,
                                [*args.cfg_options, *args.run_options.get(run.config, [])])
        if printing:
            print(f'{head}: {state.action}\n{command}', flush=True)
            continue
        print(f'{head}: {state.action} (elapsed {_elapsed(start)})\n{command}', flush=True)
        run_start = time.monotonic()
        code = run_command(command)
        took = _elapsed(run_start)
        if code != 0:
            failed.append(f'{run.name}: exit code {code} (work dir {run.work_dir})')
            print(f'{head}: FAILED with exit code {code} after {took}', flush=True)
            continue
        try:
            result = read_final_result(run.work_dir, run.task.metric)
        except ValueError as err:
            result, reason = None, str(err)
        else:
            reason = f'no validation of {run.task.metric} at the final step in its logs'
        if result is None:
            failed.append(f'{run.name}: {reason} (work dir {run.work_dir})')
            print(f'{head}: FAILED: finished after {took} but {reason}', flush=True)
        else:
            print(f'{head}: finished in {took}: {result.metric} = {result.value:g}', flush=True)
    counts = ', '.join(f'{actions[action]} to {action}' for action in ('skip', 'resume', 'start'))
    if printing:
        print(f'{mark}{len(runs)} runs: {counts}, {len(failed)} with errors', flush=True)
    else:
        print(f'{len(runs)} runs ({counts}): {len(failed)} failed; elapsed {_elapsed(start)}', flush=True)
    return failed


def collect_results(work_dir: str) -> bool:
    """Write results.md, results.csv and results.png of the runs below ``work_dir``; False if none finished."""
    summaries, problems = collect(work_dir)
    for problem in problems:
        print(f'note: {problem}')
    if not summaries:
        print(f'no finished runs below {work_dir}: nothing to tabulate')
        return False
    markdown = format_markdown(summaries, work_dir)
    paths = [osp.join(work_dir, name) for name in ('results.md', 'results.csv', 'results.png')]
    with atomic_write(paths[0], 'w') as f:  # nothing half-written under the final name
        f.write(markdown)
    write_csv(summaries, paths[1])
    plot(summaries, paths[2])
    print(markdown)
    print('wrote ' + ', '.join(paths))
    return True


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the benchmark; returns the exit code (0: no failure, 1: a run failed or nothing to collect)."""
    args = parse_args(argv)
    if args.collect_only:
        return 0 if collect_results(args.work_dir) else 1
    failed = execute(args)
    if not (args.dry_run or args.launcher == 'slurm'):
        collect_results(args.work_dir)
    if failed:
        print(f'{len(failed)} run(s) failed:\n' + '\n'.join(f'  {message}' for message in failed))
        return 1
    return 0

