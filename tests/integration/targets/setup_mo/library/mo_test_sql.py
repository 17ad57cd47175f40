#!/usr/bin/python
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only module: run SQL with plain PyMySQL, independent of the collection's code.

The integration targets use it to set up data and to verify state with a query that does not go
through the module under test.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mo_test_sql
short_description: Independent SQL for the integration tests
description: Runs statements with PyMySQL and returns rows; not part of the collection.
options:
  statements: {description: Statements to run in order, type: list, elements: str, required: true}
  login_host: {description: Host, type: str, default: 127.0.0.1}
  login_port: {description: Port, type: int, default: 6001}
  login_user: {description: User, may be account#user, type: str, default: root}
  login_password: {description: Password, type: str, default: '111'}
  ignore_errors_matching: {description: Error texts to tolerate (regular expressions), type: list, elements: str, default: []}
author: [matrixone.backup contributors]
'''

import re

from ansible.module_utils.basic import AnsibleModule

try:
    import pymysql
except ImportError:  # pragma: no cover
    pymysql = None


def main():
    module = AnsibleModule(argument_spec=dict(
        statements=dict(type="list", elements="str", required=True),
        login_host=dict(type="str", default="127.0.0.1"),
        login_port=dict(type="int", default=6001),
        login_user=dict(type="str", default="root"),
        login_password=dict(type="str", default="111", no_log=True),
        ignore_errors_matching=dict(type="list", elements="str", default=[]),
    ), supports_check_mode=False)
    p = module.params
    conn = pymysql.connect(host=p["login_host"], port=p["login_port"], user=p["login_user"],
                           password=p["login_password"], autocommit=True)
    results = []
    try:
        for statement in p["statements"]:
            with conn.cursor() as cur:
                try:
                    affected = cur.execute(statement)
                except pymysql.err.MySQLError as exc:
                    if any(re.search(pat, str(exc.args[-1])) for pat in p["ignore_errors_matching"]):
                        results.append({"statement": statement, "error": str(exc.args[-1]), "rows": []})
                        continue
                    module.fail_json(msg="%s: %s" % (statement, exc), results=results)
                rows = [list(r) for r in cur.fetchall()] if cur.description else []
                results.append({"statement": statement, "rows": rows, "affected": affected})
    finally:
        conn.close()
    module.exit_json(changed=False, results=results, rows=results[-1]["rows"] if results else [])


if __name__ == "__main__":
    main()
