# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _backup_task, _errors


def params(**kwargs):
    return dict(dict(path="/backups/mo/inc1", s3=None, type="incremental", base=None, parallelism=2,
                     verify="checksums"), **kwargs)


def test_a_good_task_gives_the_path_and_the_base_beside_it():
    assert _backup_task.validate(params(), "sys") == ("/backups/mo/inc1", None)
    assert _backup_task.validate(params(base="/backups/mo/full1"), "sys") == ("/backups/mo/inc1", "full1")


@pytest.mark.parametrize("given, login, message", [
    (dict(parallelism=0), "sys", "parallelism must be between 1 and 65535, got 0"),
    (dict(type="full", base="/backups/mo/full1"), "sys", "base is only for type=incremental"),
    (dict(base="/elsewhere/full1"), "sys", "must be beside path"),
    (dict(), "acc1", "BACKUP is cluster-wide and needs the sys account; login_account is 'acc1'"),
    (dict(path="backups/inc1"), "sys", "must be absolute"),
])
def test_bad_input_is_refused_before_anything(given, login, message):
    with pytest.raises(_errors.InvalidInput, match=message):
        _backup_task.validate(params(**given), login)


def test_s3_options_and_the_diff_say_what_matrixone_and_the_dba_need():
    s3 = {"endpoint": "s3.example", "region": "r", "bucket": "b", "access_key_id": "AK", "secret_access_key": "SK",
          "is_minio": True}
    assert _backup_task.s3_options(s3, "mo/full1") == {
        "endpoint": "s3.example", "region": "r", "bucket": "b", "filepath": "mo/full1", "access_key_id": "AK",
        "secret_access_key": "SK", "is_minio": "true"}
    plan = {"location": "/backups/mo/full1", "type": "full", "files": 3}
    expected = {"before": {"backup": None}, "after": {"backup": {"location": "/backups/mo/full1", "type": "full"}}}
    assert _backup_task.diff_of(None, plan) == expected
