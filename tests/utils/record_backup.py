# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Record what a real MatrixOne's BACKUP wrote, for the tests that hold the collection and the test server to it.

Usage: MO_PASSWORD=... python tests/utils/record_backup.py FULL_DIR INCREMENTAL_DIR VERSION PORT \
           > tests/fixtures/recorded/backup-VERSION.json
FULL_DIR is a `BACKUP ... FILESYSTEM` directory, INCREMENTAL_DIR one taken with TYPE 'incremental' on it. Kept:
the raw bytes of the small metadata files and their .sha256, three small data files (two with a SHA-256 in tae_list,
one without) with their tae_list lines, the top-level layout and the counts of the incremental's tae_list; then the
server on 127.0.0.1:PORT (as root) is asked the refusals in REFUSALS and its answers are kept.
"""

import base64
import csv
import io
import json
import os
import re
import sys

BLOCK = 2048
# (name, login as a tenant, statement): {dir} is a fresh directory under FULL_DIR's parent
REFUSALS = [
    ("into_a_backup", False, "BACKUP '0' FILESYSTEM '{full}' PARALLELISM '2'"),
    ("bad_parallelism", False, "BACKUP '0' FILESYSTEM '{dir}' PARALLELISM 'x'"),
    ("bad_timestamp", False, "BACKUP '0' FILESYSTEM '{dir}' PARALLELISM '2' TYPE 'incremental' TIMESTAMP 'abc'"),
    ("cannot_mkdir", False, "BACKUP '0' FILESYSTEM '/proc/mo-backup' PARALLELISM '2'"),
    ("tenant", True, "BACKUP '0' FILESYSTEM '{dir}' PARALLELISM '2'"),
]


def raw(directory, path):
    with open(os.path.join(directory, path), "rb") as handle:
        return handle.read()


def content(data):
    return b"".join(data[i + 4:i + BLOCK] for i in range(0, len(data), BLOCK))


def listing(directory):
    return list(csv.reader(io.StringIO(content(raw(directory, "tae/tae_list")).decode())))


def b64(data):
    return base64.b64encode(data).decode()


def refusals(port, full):
    import pymysql  # pylint: disable=import-outside-toplevel
    password = os.environ.get("MO_PASSWORD", "111")
    root = pymysql.connect(host="127.0.0.1", port=int(port), user="root", password=password, autocommit=True)
    root.cursor().execute("CREATE ACCOUNT IF NOT EXISTS rec_backup ADMIN_NAME 'admin' IDENTIFIED BY 'rec-pw'")
    tenant = pymysql.connect(host="127.0.0.1", port=int(port), user="rec_backup#admin", password="rec-pw")
    answers = {}
    for index, (name, as_tenant, sql) in enumerate(REFUSALS):
        target = os.path.join(os.path.dirname(full), "refused-%d" % index)
        try:
            (tenant if as_tenant else root).cursor().execute(sql.format(full=full, dir=target))
            answers[name] = {"sql": sql, "ok": True}
        except pymysql.MySQLError as exc:
            # the first line only: a Go panic adds its stack, which names the build machine's paths
            text = re.sub(r"tae/\S+", "tae/<file>", exc.args[1].split("\n")[0])
            answers[name] = {"sql": sql, "code": exc.args[0], "text": text}
    root.cursor().execute("DROP ACCOUNT IF EXISTS rec_backup")
    return answers


def main(full, incremental, version, port):
    config = sorted(os.listdir(os.path.join(full, "config")))[0].replace(".sha256", "")
    files = {}
    for path in ("mo_meta", "config/" + config, "hakeeper/hk_data", "tae/tae_sum"):
        files[path] = b64(raw(full, path))
        files[path + ".sha256"] = b64(raw(full, path + ".sha256"))
    rows = listing(full)
    with_sha = sorted((r for r in rows if r[2] and int(r[1]) < 1500 and r[1] == str(len(content(raw(full, "tae/" + r[0]))))),
                      key=lambda r: r[0])[:2]
    without_sha = sorted((r for r in rows if not r[2] and int(r[1]) < 1500), key=lambda r: r[0])[:1]
    samples = [{"tae_list_line": ",".join(r), "raw": b64(raw(full, "tae/" + r[0]))} for r in with_sha + without_sha]
    inc_rows = listing(incremental)
    record = {
        "version": version,
        "top_level": sorted(os.listdir(full)),
        "tae_dirs": sorted(d for d in os.listdir(os.path.join(full, "tae")) if os.path.isdir(os.path.join(full, "tae", d))),
        "files": files,
        "data_samples": samples,
        "full": {"listed": len(rows), "copied": sum(1 for r in rows if r[3] == "true"),
                 "without_sha": sum(1 for r in rows if not r[2])},
        "incremental": {"tae_sum": b64(raw(incremental, "tae/tae_sum")), "listed": len(inc_rows),
                        "copied": sum(1 for r in inc_rows if r[3] == "true")},
        "refusals": refusals(port, full),
    }
    json.dump(record, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:5])
