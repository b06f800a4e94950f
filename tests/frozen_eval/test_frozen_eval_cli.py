# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Bad command lines stop before anything is computed, with the argument that is wrong."""
import pytest

from gersp_mm.frozen_eval import FRACTIONS
from gersp_mm.frozen_eval.cli import main, parse_args
from tests.helpers import ROOT

CONFIG = ROOT / 'configs' / 'cls' / 'eurosat' / 'resnet50-gersp_8xb32_eurosat-80p.py'


@pytest.mark.parametrize('args, message', [
    (['missing.pth'], 'checkpoint file(s) not found: missing.pth'),
    (['random', '--protocols', 'svm'], "unknown protocol 'svm'"),
    (['random', '--fractions', '0'], 'a label fraction must be in (0, 1], got 0.0'),
    (['random', '--seeds', '1', '1'], 'seeds repeat: [1, 1]'),
    (['a=random', 'a=imagenet'], "backbone labels must differ, got ['a', 'a']"),
])
def test_bad_arguments(args, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as error:
        main([str(CONFIG), *args, '--work-dir', str(tmp_path)])
    assert error.value.code == 2 and message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_defaults(tmp_path):
    args = parse_args([str(CONFIG), 'random'])
    assert args.settings.fractions == FRACTIONS == (0.01, 0.05, 0.1, 0.2, 0.5, 1.0)  # exact: the cells' file names
    assert args.settings.protocols == ('knn20', 'knn5', 'linear') and args.settings.seeds == (0, 1, 2)
    assert (args.settings.num_resamples, args.settings.level) == (1000, 0.95)
    assert args.work_dir == 'work_dirs/frozen_eval/resnet50-gersp_8xb32_eurosat-80p'
    assert args.cache_dir == 'work_dirs/frozen_eval/resnet50-gersp_8xb32_eurosat-80p/features'
