# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for ansible-test's get-pip bootstrap script, which it downloads from a host this CI cannot reach.

ansible-test runs `python get_pip_X_Y.py <pip options> pip==X.Y ...` in each new sanity venv. We install the
requested pip from PyPI with the pip wheel bundled in CPython's ensurepip.
"""

import glob
import os
import sys
import tempfile
import zipfile

import ensurepip


def main():
    wheel = sorted(glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl")))[-1]
    unpacked = tempfile.mkdtemp(prefix="get-pip-shim-")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpacked)
    sys.path.insert(0, unpacked)
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel,import-error
    args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
    return pip_main(["install", "--upgrade", "--force-reinstall"] + args)


if __name__ == "__main__":
    sys.exit(main())
