# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Where a tool's command line lives: every ``tools/[GROUP/]NAME.py`` is a script that runs ``main(argv)`` of one
package module, its command-line module (argparse, messages, exit status; the tests call it in this process):

- ``tools/dataset_converters/NAME.py``: ``gersp_mm.<host>.converters.NAME``, in the ``converters`` sub-package of
  the host sub-package whose datasets it prepares (``det``, ``cls``, ``pretrain``);
- ``tools/analysis_tools/NAME.py``: ``gersp_mm.analysis.NAME``;
- ``tools/model_converters/NAME.py``: ``gersp_mm.export.NAME``;
- ``tools/NAME.py``: ``gersp_mm.<sub>.cli``, the sub-package the tool is the command line of.

Kept as scripts with their own argparse: ``tools/train.py`` and ``tools/test.py`` (mmdet's and mmpretrain's
entry points, over :mod:`gersp_mm.utils` and :mod:`gersp_mm.engine`), and ``tools/demo.py``, which prints its
first line before it imports the package (the imports take a while on a busy machine)."""
import ast
import importlib
import re

import pytest

from tests.helpers import ROOT

#: Tools that keep their own argparse (see the module docstring).
SCRIPTS = {'tools/train.py', 'tools/test.py', 'tools/demo.py'}
#: ``tools/GROUP/`` -> the pattern of the command-line module of ``tools/GROUP/NAME.py``.
GROUP_MODULES = {
    'dataset_converters': r'gersp_mm\.(det|cls|pretrain)\.converters\.{name}',
    'analysis_tools': r'gersp_mm\.analysis\.{name}',
    'model_converters': r'gersp_mm\.export\.{name}',
}
TOOLS = sorted(str(path.relative_to(ROOT)) for path in (ROOT / 'tools').rglob('*.py'))


def command_line_module(tool: str) -> str:
    """The module whose ``main`` the tool imports, checking that the script does nothing else: its docstring,
    ``import sys``, ``from <module> import main`` and ``if __name__ == '__main__': sys.exit(main())``."""
    body = ast.parse((ROOT / tool).read_text()).body
    assert [type(node) for node in body] == [ast.Expr, ast.Import, ast.ImportFrom, ast.If], tool
    docstring, import_sys, import_main, run = body
    assert isinstance(docstring.value, ast.Constant) and isinstance(docstring.value.value, str), tool
    assert [alias.name for alias in import_sys.names] == ['sys'], tool
    assert [(alias.name, alias.asname) for alias in import_main.names] == [('main', None)], tool
    assert ast.unparse(run) == "if __name__ == '__main__':\n    sys.exit(main())", tool
    return import_main.module


def test_every_tool_is_listed():
    assert {'tools/train.py', 'tools/dataset_converters/chip_scenes.py', 'tools/frozen_eval.py'} <= set(TOOLS)
    assert SCRIPTS <= set(TOOLS)


@pytest.mark.parametrize('tool', sorted(set(TOOLS) - SCRIPTS))
def test_tool_runs_main_of_its_command_line_module(tool):
    module = command_line_module(tool)
    group, name = tool.split('/')[-2], tool.split('/')[-1][:-len('.py')]
    pattern = r'gersp_mm\.\w+\.cli' if group == 'tools' else GROUP_MODULES[group].format(name=name)
    assert re.fullmatch(pattern, module), f'{tool} runs {module}.main, expected a module matching {pattern}'
    main = importlib.import_module(module).main
    with pytest.raises(SystemExit) as exit_info:  # tests/test_docs.py runs --help of the script itself
        main(['--help'])
    assert exit_info.value.code == 0
