# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The README's commands point at tools and configs that exist, and every tool answers --help."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / 'README.md', *sorted((ROOT / 'configs').glob('*/README.md'))]
TEXT = '\n'.join(doc.read_text() for doc in DOCS)
TOOLS = sorted(set(re.findall(r'tools/[\w/]+\.(?:py|sh)', TEXT)))
CONFIGS = sorted(set(re.findall(r'configs/[\w/.-]+\.py', TEXT)))


def test_docs_name_tools_and_configs():
    assert 'tools/train.py' in TOOLS and 'configs/pretrain/gersp_r50.py' in CONFIGS


@pytest.mark.parametrize('path', CONFIGS)
def test_documented_configs_exist(path):
    assert (ROOT / path).is_file(), path


@pytest.mark.parametrize('tool', TOOLS)
def test_documented_tools_exist_and_explain_themselves(tool):
    assert (ROOT / tool).is_file(), tool
    if tool.endswith('.py'):
        result = subprocess.run([sys.executable, tool, '--help'], cwd=ROOT, capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 0 and 'usage' in result.stdout.lower(), result.stderr
