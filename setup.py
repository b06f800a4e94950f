# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Packaging for gersp_mm.

mmcv 2.x has no wheel on PyPI: ``tools/setup_env.sh`` builds it (with its compiled ops) against the
installed torch before this package is installed. ``pip install -e .`` alone works on any environment
that already has mmcv 2.1.0.
"""
import os
import os.path as osp
import re
import shutil

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

ROOT = osp.dirname(osp.abspath(__file__))


def get_version() -> str:
    with open(osp.join(ROOT, 'gersp_mm', 'version.py'), encoding='utf-8') as f:
        return re.search(r"^__version__ = '([^']+)'", f.read(), re.M).group(1)


def parse_requirements(name: str) -> list:
    """Read ``requirements/<name>.txt``: one requirement per line, ``#`` comments ignored."""
    with open(osp.join(ROOT, 'requirements', f'{name}.txt'), encoding='utf-8') as f:
        lines = (line.split('#', 1)[0].strip() for line in f)
        return [line for line in lines if line]


#: The sample images of the tiny configs (``configs/pretrain/gersp_r18_tiny*.py``), which find them from their own
#: folder (``{{ fileDirname }}/../../tests/data/...``): shipped at the same place beside the configs.
SAMPLE_IMAGES = ('tests/data/pretrain/rs', 'tests/data/pretrain/natural', 'tests/data/cls/nwpu')
MIM_FILES = ('configs', 'tools', 'model-index.yml') + SAMPLE_IMAGES


class BuildPyWithMim(build_py):
    """``build_py`` that puts copies of configs, tools and the model index inside the built package
    (``gersp_mm/.mim``), as OpenMMLab packages do, so that ``_base_ = 'gersp_mm::pretrain/gersp_r50.py'``
    and ``mim train gersp_mm ...`` work from an installed wheel, with the tiny configs' sample images.

    The checkout's own ``gersp_mm/.mim`` holds symlinks to the configs, tools and model index (committed;
    through the configs link the tiny configs find the checkout's sample images), which serve the development
    install of ``tools/setup_env.sh`` and editable installs; the build never touches them.
    """

    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            self._export(osp.join(self.build_lib, 'gersp_mm', '.mim'))

    @staticmethod
    def _export(mim_path: str) -> None:
        if osp.isdir(mim_path):
            shutil.rmtree(mim_path)  # the copies of an earlier build
        os.makedirs(mim_path)
        for name in MIM_FILES:
            src, dst = osp.join(ROOT, name), osp.join(mim_path, name)
            if osp.isdir(src):
                shutil.copytree(src, dst, ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
            else:
                shutil.copyfile(src, dst)


def readme() -> str:
    with open(osp.join(ROOT, 'README.md'), encoding='utf-8') as f:
        return f.read()


setup(
    name='gersp_mm',
    version=get_version(),
    description='GeRSP remote-sensing pre-training and benchmarks for OpenMMLab 2.x',
    long_description=readme(),
    long_description_content_type='text/markdown',
    license='Apache-2.0',  # an SPDX expression (setuptools deprecates the License :: classifiers)
    packages=find_packages(include=('gersp_mm', 'gersp_mm.*')),
    cmdclass={'build_py': BuildPyWithMim},
    python_requires='>=3.8',
    install_requires=parse_requirements('runtime'),
    extras_require={'tests': parse_requirements('tests'), 'mim': parse_requirements('mim'),
                    'raster': parse_requirements('raster')},
    classifiers=[
        'Programming Language :: Python :: 3',
        'Topic :: Scientific/Engineering :: Artificial Intelligence',
        'Topic :: Scientific/Engineering :: Image Recognition',
    ],
    zip_safe=False,
)
