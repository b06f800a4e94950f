# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The test suite: a package (each folder too), so that its helper modules are imported by their full name
(``from tests.helpers import ROOT``) in every pytest import mode, ``--import-mode=importlib`` included."""
