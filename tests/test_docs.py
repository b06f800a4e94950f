# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The README's and docs' commands point at tools and configs that exist and their links at files that exist;
every tool answers --help with an example command line (and does nothing else)."""
import re
import subprocess
import sys

import pytest

from tests.helpers import ROOT

DOCS = [ROOT / 'README.md', *sorted((ROOT / 'docs').glob('*.md')), *sorted((ROOT / 'configs').glob('*/README.md'))]
TEXT = '\n'.join(doc.read_text() for doc in DOCS)
# this repository's tools, not those of an installed package (e.g. mmrotate's .mim/tools/...)
TOOLS = sorted(set(re.findall(r'(?<![\w./])tools/[\w/]+\.(?:py|sh)', TEXT)))
CONFIGS = sorted(set(re.findall(r'configs/[\w/.-]+\.py', TEXT)))
LINKS = sorted({(str(doc.relative_to(ROOT)), target) for doc in DOCS
                for target in re.findall(r'\]\(([^)#\s]+)(?:#[^)]*)?\)', doc.read_text())
                if not target.startswith(('http://', 'https://'))})
ALL_TOOLS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / 'tools').rglob('*')  # tools/lib: what the tools source
                   if p.suffix in ('.py', '.sh') and p.parent != ROOT / 'tools' / 'lib')


def test_docs_name_tools_and_configs():
    assert 'tools/train.py' in TOOLS and 'configs/pretrain/gersp_r50.py' in CONFIGS


@pytest.mark.parametrize('path', CONFIGS)
def test_documented_configs_exist(path):
    assert (ROOT / path).is_file(), path


@pytest.mark.parametrize('tool', TOOLS)
def test_documented_tools_exist(tool):
    assert (ROOT / tool).is_file(), tool


@pytest.mark.parametrize('doc, target', LINKS)
def test_relative_links_point_at_files_of_the_repository(doc, target):
    assert ((ROOT / doc).parent / target).exists(), f'{doc} links {target}'


@pytest.mark.parametrize('tool', ALL_TOOLS)
def test_every_tool_explains_itself_with_an_example(tool):
    runner = [sys.executable] if tool.endswith('.py') else ['bash']
    result = subprocess.run([*runner, tool, '--help'], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f'{tool} ' in result.stdout, f'{tool} --help shows no example command line'
