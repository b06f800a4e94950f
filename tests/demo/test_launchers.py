# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""One command each for the demo and the tests from a fresh clone: they build the environment when it is absent.

The scripts run in a copy of tools/ whose setup_env.sh is a stand-in that records its call and creates a
stand-in python, which records how it is called (the real setup takes minutes to half an hour).
"""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FAKE_SETUP = """#!/usr/bin/env bash
echo setup >> "$CALLS"
mkdir -p "$GERSP_VENV/bin"
cat > "$GERSP_VENV/bin/python" <<'PY'
#!/usr/bin/env bash
echo "python $*${OMP_NUM_THREADS:+ (OMP_NUM_THREADS=$OMP_NUM_THREADS)}" >> "$CALLS"
[ "$1" = "-c" ] && [ -e "$GERSP_VENV/broken" ] && exit 1
exit 0
PY
chmod +x "$GERSP_VENV/bin/python"
rm -f "$GERSP_VENV/broken"
"""
CHECK = dict(run_demo='python -c import mmcv._ext, gersp_mm',
             run_tests='python -c import mmcv._ext, gersp_mm, xdist')  # the tests need pytest-xdist too
RUNS = dict(run_demo=['python tools/demo.py --quick'],
            run_tests=['python -m ruff check .',
                       'python -m pytest --numprocesses auto --maxprocesses 4 --quick (OMP_NUM_THREADS=1)'])


def launch(tmp_path: Path, script: str, venv: str = 'venv', **env_vars: str) -> list:
    repo = tmp_path / 'repo'
    if not repo.exists():
        (repo / 'tools').mkdir(parents=True)
        shutil.copy(ROOT / 'tools' / f'{script}.sh', repo / 'tools')
        shutil.copytree(ROOT / 'tools' / 'lib', repo / 'tools' / 'lib')
        (repo / 'tools' / 'setup_env.sh').write_text(FAKE_SETUP)
    calls = tmp_path / 'calls.txt'
    calls.unlink(missing_ok=True)
    env = {name: value for name, value in os.environ.items() if name not in ('OMP_NUM_THREADS', 'GERSP_TEST_WORKERS')}
    env.update(GERSP_VENV=str(tmp_path / venv), CALLS=str(calls), **env_vars)
    result = subprocess.run(['bash', f'tools/{script}.sh', '--quick'], cwd=repo, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return calls.read_text().splitlines()


@pytest.mark.parametrize('script', ['run_demo', 'run_tests'])
def test_a_fresh_clone_gets_its_environment_built_first(tmp_path, script):
    assert launch(tmp_path, script) == ['setup', *RUNS[script]]


@pytest.mark.parametrize('script', ['run_demo', 'run_tests'])
def test_a_working_environment_is_used_as_it_is(tmp_path, script):
    launch(tmp_path, script)
    assert launch(tmp_path, script) == [CHECK[script], *RUNS[script]]


@pytest.mark.parametrize('script', ['run_demo', 'run_tests'])
def test_an_incomplete_environment_is_completed_by_the_setup(tmp_path, script):
    launch(tmp_path, script)
    (tmp_path / 'venv' / 'broken').touch()
    assert launch(tmp_path, script) == [CHECK[script], 'setup', *RUNS[script]]


def test_the_test_command_takes_the_number_of_workers_and_threads_from_the_environment(tmp_path):
    calls = launch(tmp_path, 'run_tests', GERSP_TEST_WORKERS='0', OMP_NUM_THREADS='2')
    assert calls[-1] == 'python -m pytest --numprocesses 0 --maxprocesses 4 --quick (OMP_NUM_THREADS=2)'
