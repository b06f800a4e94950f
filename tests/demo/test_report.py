# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The demo's results block: table layout, the findings derived from the numbers (and whether they exceed the
run-to-run spread), the caveats, the environment recorded with the numbers."""
import os
import re
import statistics
import subprocess
from pathlib import Path

import torch

from gersp_mm.analysis.seed_summary import Summary
from gersp_mm.demo.environment import git_commit, run_environment
from gersp_mm.demo.plan import DEMO_INITS, DEMO_TASKS
from gersp_mm.demo.report import (
    caveats,
    findings,
    format_cell,
    knn_summaries,
    results_block,
    results_header,
    results_table,
)
from tests.helpers import ROOT


def summary(task: str, init: str, *values: float) -> Summary:
    return Summary(task, init, 'metric', tuple(range(len(values))), values)


def test_a_cell_is_the_value_or_mean_and_sample_std():
    assert format_cell(summary('det', 'gersp', 79.004)) == '79.00'
    assert format_cell(summary('det', 'gersp', 1.0, 2.0, 4.0)) == \
        f'{7 / 3:.2f} ± {statistics.stdev([1.0, 2.0, 4.0]):.2f}'


def test_the_table_has_one_column_per_init_and_one_row_per_task_and_the_monitor():
    lines = results_table([summary('det', 'moco', 50.0), summary('knn', 'gersp', 61.25)])
    header = [cell.strip() for cell in lines[0].strip('|').split('|')]
    assert header == ['task', 'metric', 'GeRSP', 'MoCo v2, aerial only', 'supervised, natural only', 'random init']
    assert lines[1] == '|---|---|---|---|---|---|'
    rows = [[cell.strip() for cell in line.strip('|').split('|')] for line in lines[2:]]
    assert [row[0] for row in rows] == [task.title for task in DEMO_TASKS.values()] + [
        'pre-training monitor: k-NN on the NWPU-format scenes, final']
    assert rows[0][2:] == ['-', '50.00', '-', '-']
    assert rows[-1][2:] == ['61.25', '-', '-', '-']


def test_findings_state_the_differences_and_the_tasks_where_gersp_beats_both_sources():
    results = [summary('det', 'gersp', 80.0), summary('det', 'moco', 75.5), summary('det', 'supervised', 81.0),
               summary('det', 'random', 50.0),
               summary('cls', 'gersp', 70.0), summary('cls', 'moco', 60.0), summary('cls', 'supervised', 65.0),
               summary('cls', 'random', 40.0)]
    text = findings(results)
    det = DEMO_TASKS['det']
    assert text[0] == (f'{det.title}: GeRSP 80.00 {det.metric_title}; +4.50 vs MoCo v2, aerial only, '
                       '-1.00 vs supervised, natural only, +30.00 vs random init.')
    assert text[1].endswith('+10.00 vs MoCo v2, aerial only, +5.00 vs supervised, natural only, '
                            '+30.00 vs random init.')
    assert ('GeRSP beats both single-source pre-trainings on 1 of 2 tasks: these numbers do not show that combining '
            'the sources beats each source alone on every task.') in text
    everywhere = [s if s.init != 'supervised' else summary(s.task, s.init, 0.0) for s in results]
    assert 'GeRSP beats both single-source pre-trainings on 2 of 2 tasks.' in findings(everywhere)
    assert any(line.startswith('One seed per run') for line in text)


def test_with_several_seeds_a_difference_is_clear_only_beyond_twice_its_standard_error():
    # standard error of the difference: sqrt(1/3 + 1/3) = 0.816 for two sets of std 1 over 3 seeds
    clear = [summary('det', 'gersp', 80, 81, 82), summary('det', 'moco', 78, 79, 80)]  # +2.00 > 1.63
    noise = [summary('det', 'gersp', 80, 81, 82), summary('det', 'moco', 79.5, 80.5, 81.5)]  # +0.50
    assert '+2.00 (clear) vs MoCo v2, aerial only' in findings(clear)[0]
    assert '+0.50 (within noise) vs MoCo v2, aerial only' in findings(noise)[0]
    assert any(line.startswith('3 seeds: mean ± sample standard deviation') for line in findings(clear))


def test_the_monitor_finding_names_the_best_pre_training_and_chance():
    knn = knn_summaries(dict(gersp=[40.0], moco=[55.0], supervised=[30.0]), seeds=[0])
    assert [(s.task, s.init, s.values) for s in knn] == [('knn', 'gersp', (40.0, )), ('knn', 'moco', (55.0, )),
                                                          ('knn', 'supervised', (30.0, ))]
    assert 'The k-NN monitor ends highest for MoCo v2, aerial only (55.00%; chance is 12.5%).' in findings(knn)


def test_the_block_holds_header_table_findings_and_caveats():
    results = [summary(task.name, init.label, 10.0 * i) for task in DEMO_TASKS.values()
               for i, init in enumerate(DEMO_INITS)]
    block = results_block(results, '`python tools/demo.py --seeds 0`: 1 seed(s)', quick=False).splitlines()
    assert block[0] == '`python tools/demo.py --seeds 0`: 1 seed(s)'
    assert block[2:2 + 2 + len(DEMO_TASKS) + 1] == results_table(results)
    assert 'Caveats:' in block and not any('QUICK RUN' in line for line in block)
    assert any("5 of DIOR's 20 classes" in line for line in block)
    assert any('random stem' in line for line in block)
    assert caveats(quick=True)[0].startswith('QUICK RUN')


def test_with_one_seed_the_findings_say_they_cannot_tell_a_difference_from_the_spread():
    text = findings([summary('det', 'gersp', 80.0), summary('det', 'moco', 75.5)])
    assert text[-1].startswith('One seed per run: the run-to-run spread is not measured, so these numbers cannot '
                               'tell whether any difference above exceeds it')
    assert '(clear)' not in text[0] and '(within noise)' not in text[0]


def test_with_several_seeds_gersp_beats_both_sources_clearly_only_beyond_the_spread():
    """GeRSP's mean is above both single-source means on 2 tasks; only on det by more than twice the standard
    error of the difference (sqrt(1/3 + 1/3) = 0.82 for std 1 over 3 seeds)."""
    results = [summary('det', 'gersp', 80, 81, 82), summary('det', 'moco', 77, 78, 79),
               summary('det', 'supervised', 76, 77, 78),
               summary('cls', 'gersp', 80, 81, 82), summary('cls', 'moco', 79.5, 80.5, 81.5),
               summary('cls', 'supervised', 70, 71, 72)]
    assert ('GeRSP beats both single-source pre-trainings on 2 of 2 tasks (beyond the spread of the seeds on 1).'
            in findings(results))


def git(repo, *args):
    return subprocess.run(['git', '-C', str(repo), *args], capture_output=True, text=True, check=True).stdout.strip()


def test_the_header_records_the_commit_cpu_threads_and_date_with_the_numbers():
    environment = run_environment(str(ROOT))
    commit = git(ROOT, 'rev-parse', 'HEAD')[:12]
    dirty = bool(git(ROOT, 'status', '--porcelain', '--untracked-files=no'))
    assert environment['commit'] == (f'{commit} + uncommitted changes' if dirty else commit)
    assert environment['torch_threads'] == torch.get_num_threads()
    assert environment['cpu_cores'] == len(os.sched_getaffinity(0))
    model = re.search(r'^model name\s*:\s*(.+)$', Path('/proc/cpuinfo').read_text(), flags=re.M)
    assert environment['cpu'] == (model.group(1).strip() if model else environment['cpu'])
    assert re.fullmatch(r'\d{4}-\d\d-\d\d \d\d:\d\d UTC', environment['date'])
    header = results_header('python tools/demo.py --seeds 0', 1, '12.1 min', environment)
    assert header == (f'`python tools/demo.py --seeds 0`: 1 seed(s), 12.1 min; commit {environment["commit"]}, '
                      f'{environment["cpu"]}, {environment["cpu_cores"]} CPU cores, '
                      f'{environment["torch_threads"]} torch threads, {environment["date"]}.')


def test_the_commit_says_when_the_code_differs_from_it_or_is_not_a_checkout(tmp_path):
    assert git_commit(str(tmp_path)) == 'not a git checkout'
    git(tmp_path, 'init', '-q')
    (tmp_path / 'site-packages').mkdir()
    assert git_commit(str(tmp_path / 'site-packages')) == 'not a git checkout'  # a folder inside another repo
    (tmp_path / 'code.py').write_text('a = 1\n')
    git(tmp_path, 'add', 'code.py')
    git(tmp_path, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'code')
    commit = git(tmp_path, 'rev-parse', 'HEAD')[:12]
    assert git_commit(str(tmp_path)) == commit
    (tmp_path / 'code.py').write_text('a = 2\n')
    assert git_commit(str(tmp_path)) == f'{commit} + uncommitted changes'
