# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The mmrotate of the environment: the build pinned in requirements/rotated.txt, importable with this stack
(its own import check compares mmcv, mmengine and mmdet versions), installed by tools/setup_env.sh."""
import importlib.metadata
import re

import mmcv
import mmdet
import mmengine
import mmrotate
from mmengine.utils import digit_version

from tests.helpers import ROOT


def test_the_installed_mmrotate_is_the_pinned_build():
    pin = re.search(r'^mmrotate-dev==(\S+) --hash=sha256:[0-9a-f]{64}$',
                    (ROOT / 'requirements' / 'rotated.txt').read_text(), re.M)
    assert pin is not None
    assert importlib.metadata.version('mmrotate-dev') == pin.group(1) == mmrotate.__version__ == '1.0.1'


def test_its_import_check_accepts_this_stack():
    """mmrotate 1.0.0rc1 asserts mmdet <= 3.1.0 and dev-1.x mmdet <= 3.2.0: with mmdet 3.3 only the raised
    bound of mmrotate-dev imports (the import above would have failed)."""
    for package, low, high in ((mmcv, mmrotate.mmcv_minimum_version, mmrotate.mmcv_maximum_version),
                               (mmdet, mmrotate.mmdet_minimum_version, mmrotate.mmdet_maximum_version)):
        assert digit_version(low) <= digit_version(package.__version__) <= digit_version(high)
    assert digit_version(mmengine.__version__) < digit_version(mmrotate.mmengine_maximum_version)
    assert mmrotate.mmdet_maximum_version == '3.4.0' and digit_version(mmdet.__version__) > digit_version('3.2.0')


def test_setup_env_installs_it_by_hash_without_dependencies():
    assert 'install -q --no-deps --require-hashes -r "$ROOT/requirements/rotated.txt"' in \
        (ROOT / 'tools' / 'setup_env.sh').read_text()
