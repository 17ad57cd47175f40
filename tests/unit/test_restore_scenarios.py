# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every restore scenario of the integration suite runs check mode first and then the real run, which must do what
check mode predicted: the only tasks that call mo_restore are those of setup_mo/tasks/restore.yml (which asserts it),
and the restore scenarios of every target include it."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os

import yaml

TARGETS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration", "targets")
MODULE = ("matrixone.backup.mo_restore", "mo_restore")


def tasks(node):
    """Every task in a task list, blocks included."""
    for task in node or []:
        yield task
        for key in ("block", "rescue", "always"):
            yield from tasks(task.get(key))


def test_every_restore_goes_through_the_check_then_real_harness():
    calls = {}
    for path in glob.glob(os.path.join(TARGETS, "*", "tasks", "*.yml")):
        with open(path) as f:
            for task in tasks(yaml.safe_load(f)):
                if any(name in task for name in MODULE):
                    calls.setdefault(os.path.relpath(path, TARGETS), []).append(task.get("name"))
    assert list(calls) == [os.path.join("setup_mo", "tasks", "restore.yml")], calls
    harness = yaml.safe_load(open(os.path.join(TARGETS, "setup_mo", "tasks", "restore.yml")))
    modes = [t.get("check_mode") for t in harness if any(name in t for name in MODULE)]
    assert modes == [True, None]  # check mode first, then for real
    assertion = next(t for t in harness if "ansible.builtin.assert" in t)["ansible.builtin.assert"]["that"]
    assert "(restore_check is failed) == (restore_real is failed)" in assertion
    assert "restore_check is failed or restore_check.queries == restore_real.queries" in assertion
