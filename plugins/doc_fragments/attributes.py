# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying the target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
  idempotent:
    description: When run twice with the same arguments, the second run reports no change (given the target did not
      change in between).
  action_group:
    description: Use C(group/matrixone.backup.matrixone) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - matrixone.backup.matrixone
'''

    INFO_MODULE = r'''
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying the target.
    support: full
    details: This module never changes anything; it runs the same read-only queries in check mode.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
    support: N/A
    details: This module does not change anything.
  idempotent:
    description: When run twice with the same arguments, the second run reports no change (given the target did not
      change in between).
    support: full
    details: It only reads.
  action_group:
    description: Use C(group/matrixone.backup.matrixone) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - matrixone.backup.matrixone
'''

    # Modules that read or change backup storage and never connect to MatrixOne (no connection options).
    STORAGE = r'''
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying the target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
  idempotent:
    description: When run twice with the same arguments, the second run reports no change (given the target did not
      change in between).
'''
