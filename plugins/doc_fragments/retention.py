# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The retention rules of mo_snapshot_prune and mo_backup_prune (module_utils/_retention.py).
    DOCUMENTATION = r'''
options:
  keep_newest:
    description: Keep this many of the newest points (V(0) keeps none by this rule).
    type: int
  keep_daily:
    description:
      - Keep the newest point of each of the last this many days that have one, in O(timezone) (an IANA name
        such as V(Asia/Shanghai), or an offset such as V(+08:00)).
      - The rules apply in the order O(keep_newest), O(keep_daily), O(keep_weekly), O(keep_monthly),
        O(keep_yearly), as borg's prune applies them. A period whose newest point an earlier rule already kept
        is not counted again, so O(keep_weekly=4) with O(keep_daily=7) keeps four more weeks beyond the days.
    type: int
  keep_weekly:
    description: Keep the newest point of each of the last this many ISO weeks (Monday to Sunday) that have one.
    type: int
  keep_monthly:
    description: Keep the newest point of each of the last this many calendar months that have one.
    type: int
  keep_yearly:
    description: Keep the newest point of each of the last this many calendar years that have one.
    type: int
  older_than:
    description:
      - Remove only points taken before this time, a duration before now (V(12h), V(7d), V(2w)) or an ISO-8601
        time with a zone. With keep rules, a point goes only when no rule keeps it B(and) it is older than this.
    type: str
notes:
  - At least one of O(keep_newest), O(keep_daily), O(keep_weekly), O(keep_monthly), O(keep_yearly) and
    O(older_than) is required. Without keep rules, every point older than O(older_than) goes.
'''
