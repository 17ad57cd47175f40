# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The snapshot filters of mo_snapshot_info and mo_snapshot_prune (module_utils/_snapshots.FILTER_OPTIONS), run on
    # the server in one SHOW SNAPSHOTS WHERE ...
    DOCUMENTATION = r'''
options:
  prefix:
    description: Only snapshots whose name starts with this text (matched literally; V(_) is not a wildcard).
    type: str
  pattern:
    description:
      - Only snapshots whose name matches this shell-style pattern (V(*), V(?), V([...])), for example
        V(guard_shop_*) or V(pre_*_2026*).
    type: str
  level:
    description: Only snapshots of this level.
    type: str
    choices: [cluster, account, database, table]
  account:
    description: Only snapshots of this account (for database and table snapshots, the account that took them).
    type: str
  database:
    description: Only snapshots of this database.
    type: str
  table:
    description: Only snapshots of this table.
    type: str
'''
