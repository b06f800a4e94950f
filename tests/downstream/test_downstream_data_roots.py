# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""``tools/downstream_benchmark.py --data-root TASK=PATH``: each task reads its own data, and the plan says which
root every task reads (it relied silently on ./data/<dataset>)."""
import pytest

from tests.downstream.downstream_helpers import data_options, scene_data_root
from tests.downstream.test_downstream_cli import commands


def test_each_task_reads_its_own_data_root_and_the_plan_says_which(downstream_tool, in_repo, tmp_path, capsys):
    nwpu, eurosat = scene_data_root(tmp_path / 'NWPU-RESISC45'), scene_data_root(tmp_path / 'EuroSAT')
    code = downstream_tool.main(['random', '--tasks', 'nwpu-20p', 'eurosat', '--dry-run',
                                 '--cfg-options', *data_options(eurosat), '--data-root', f'nwpu-20p={nwpu}'])
    out = capsys.readouterr().out
    assert code == 0
    assert f'# task nwpu-20p reads {nwpu} (--data-root)' in out
    assert (f'# task eurosat reads {eurosat} (its configs with --cfg-options; --data-root eurosat=PATH to '
            'change)') in out
    nwpu_run, eurosat_run = commands(out)
    assert nwpu_run[-3:] == [f'{loader}.dataset.data_root={nwpu}'
                             for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')]
    assert not any(str(nwpu) in word for word in eurosat_run)


def test_a_task_without_a_root_says_it_reads_the_default_relative_to_the_current_folder(
        downstream_tool, in_repo, tmp_path, capsys):
    """The DIOR default data/DIOR/ does not exist here: the preflight names it and the option that sets it."""
    with pytest.raises(SystemExit):
        downstream_tool.main(['random', '--tasks', 'nwpu-20p', 'dior-frcnn', '--dry-run',
                              '--data-root', f'nwpu-20p={scene_data_root(tmp_path)}'])
    errors = capsys.readouterr().err
    assert "data root 'data/DIOR/' is not a folder" in errors and '--data-root dior-frcnn=PATH' in errors
    assert 'nwpu-20p' not in errors


@pytest.mark.parametrize('spec, message', [
    ('nwpu=/data/nwpu', "--data-root nwpu=/data/nwpu: 'nwpu' is not a task of this run (nwpu-20p)"),
    ('/data/nwpu', "--data-root takes TASK=PATH, got '/data/nwpu'"),
])
def test_a_data_root_for_no_task_of_the_run_is_refused(downstream_tool, in_repo, capsys, spec, message):
    with pytest.raises(SystemExit) as info:
        downstream_tool.main(['random', '--tasks', 'nwpu-20p', '--dry-run', '--data-root', spec])
    assert info.value.code == 2 and message in capsys.readouterr().err
