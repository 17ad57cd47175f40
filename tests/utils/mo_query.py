# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Independent check for molecule: run SQL with plain PyMySQL and print the rows as JSON.

python tests/utils/mo_query.py --port N [--user acc#admin --password-env VAR] "SELECT ..." ["SELECT ..."]
Prints a JSON list with one list of rows per statement. Shares no code with the collection.
"""

import argparse
import json
import os

import pymysql


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", default="root")
    parser.add_argument("--password", default=os.environ.get("MO_TEST_PASSWORD") or "111",
                        help="default: MO_TEST_PASSWORD, else 111")
    parser.add_argument("--password-env", help="read the password from this environment variable (not argv)")
    parser.add_argument("statements", nargs="+")
    args = parser.parse_args()
    if args.password_env:
        args.password = os.environ[args.password_env]
    conn = pymysql.connect(host=args.host, port=args.port, user=args.user, password=args.password, autocommit=True)
    out = []
    with conn.cursor() as cur:
        for statement in args.statements:
            cur.execute(statement)
            out.append([list(r) for r in cur.fetchall()] if cur.description else [])
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
