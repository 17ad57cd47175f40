# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A database restore that restores only what differs, against the whole-database statement, side by side.

One database of --tables tables x 10 rows, a database snapshot, then one row updated in --changed tables (spread
evenly). For each count of changed tables, measured in one run: mo_restore in check mode, mo_restore method=delta
and method=full for real (verification included), MatrixOne's RESTORE DATABASE alone and the changed tables'
RESTORE TABLE statements alone, and `ansible -m ping` as the floor. The changes are made again before each restore.

    python tests/bench/restore_delta.py --port 6001 --password PW --label "real v4.1.4"   # a real MatrixOne
    python tests/bench/restore_delta.py --label "test server"            # starts the test server (make bench)

Results go to docs/performance/restore_delta.json under the label (other labels are kept) and the plot of every
label to docs/performance/restore_delta.png.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import pymysql

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench import BIN, OUT, REPO, collections_dir, machine  # noqa: E402  pylint: disable=wrong-import-position

DB, SNAPSHOT = "it_perf", "perf_sp"


class Target:
    """A server to measure: a real one given by port and password, or a test server started here."""

    def __init__(self, port, password, version):
        self.proc = None
        if port is None:
            env = dict(os.environ, MO_SERVER_ROOT_PASSWORD=password)
            self.proc = subprocess.Popen([sys.executable, "-m", "tests.mo_server", "--port", "0", "--version",
                                          version], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                         text=True, env=env)
            port = int(re.match(r"READY [\d.]+:(\d+)", self.proc.stdout.readline()).group(1))
        self.port, self.password = port, password
        self.conn = pymysql.connect(host="127.0.0.1", port=port, user="root", password=password, autocommit=True,
                                    read_timeout=3600)

    def sql(self, *statements):
        with self.conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
            return cur.fetchall()

    def timed_sql(self, statements):
        start = time.perf_counter()
        self.sql(*statements)
        return time.perf_counter() - start

    def stop(self):
        self.conn.close()
        if self.proc:
            self.proc.terminate()
            self.proc.wait()


def changed_tables(tables, changed):
    step = tables // changed
    return ["t%d" % i for i in range(0, step * changed, step)]


def setup(target, tables):
    target.sql("DROP SNAPSHOT IF EXISTS %s" % SNAPSHOT, "DROP DATABASE IF EXISTS %s" % DB, "CREATE DATABASE %s" % DB)
    values = ", ".join("(%d, 'v%d')" % (i, i) for i in range(10))
    for i in range(tables):
        target.sql("CREATE TABLE %s.t%d (id INT PRIMARY KEY, v VARCHAR(20))" % (DB, i),
                   "INSERT INTO %s.t%d VALUES %s" % (DB, i, values))
    target.sql("CREATE SNAPSHOT %s FOR DATABASE %s" % (SNAPSHOT, DB))


def change(target, names):
    target.sql(*["UPDATE %s.%s SET v = 'changed' WHERE id = 1" % (DB, n) for n in names])


def module(target, colls, args, check=False):
    """Wall seconds of one ad-hoc mo_restore, and its result (written by `ansible -t`)."""
    tree = tempfile.mkdtemp(prefix="mo-bench-tree-")
    cmd = [os.path.join(BIN, "ansible"), "localhost", "-m", "matrixone.backup.mo_restore", "-a",
           "snapshot=%s level=database database=%s content_max_rows=0 %s" % (SNAPSHOT, DB, args), "-e",
           "ansible_python_interpreter=" + sys.executable, "-t", tree] + (["--check"] if check else [])
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=colls, PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
               MO_PORT=str(target.port), MO_PASSWORD=target.password)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    try:
        with open(os.path.join(tree, "localhost")) as f:
            result = json.load(f)
    except (OSError, ValueError):
        raise RuntimeError("mo_restore %s: no result: %s %s" % (args, proc.stdout[-500:], proc.stderr[-500:]))
    shutil.rmtree(tree)
    if result.get("failed"):
        raise RuntimeError("mo_restore %s failed: %s" % (args, result.get("msg")))
    return wall, result


def ping(colls):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=colls, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    start = time.perf_counter()
    subprocess.run([os.path.join(BIN, "ansible"), "localhost", "-m", "ansible.builtin.ping", "-e",
                    "ansible_python_interpreter=" + sys.executable], env=env, capture_output=True, check=True)
    return time.perf_counter() - start


def measure(target, colls, tables, counts):
    version = target.sql("SELECT version()")[0][0]
    legacy = int(re.search(r"MatrixOne-v?(\d+)\.", version).group(1)) < 4  # RESTORE ... FROM SNAPSHOT up to 3.0.x
    start = time.perf_counter()
    setup(target, tables)
    rows = {"version": version, "tables": tables, "setup_wall": time.perf_counter() - start, "ping": ping(colls),
            "counts": []}
    for changed in counts:
        names = changed_tables(tables, changed)
        change(target, names)
        check_wall, check = module(target, colls, "", check=True)
        delta_wall, delta = module(target, colls, "method=delta")
        change(target, names)
        full_wall, full = module(target, colls, "method=full")
        change(target, names)
        restore_db = ("RESTORE ACCOUNT sys DATABASE %s FROM SNAPSHOT %s" % (DB, SNAPSHOT) if legacy else
                      "RESTORE DATABASE %s {SNAPSHOT = '%s'}" % (DB, SNAPSHOT))
        database_statement = target.timed_sql([restore_db])
        change(target, names)
        table_statements = target.timed_sql([
            ("RESTORE ACCOUNT sys DATABASE %s TABLE %s FROM SNAPSHOT %s" % (DB, n, SNAPSHOT) if legacy else
             "RESTORE TABLE %s.%s {SNAPSHOT = '%s'}" % (DB, n, SNAPSHOT)) for n in names])
        assert check["preview"]["method"] == "delta" and len(check["preview"]["delta"]["restore_tables"]) == changed
        assert delta["verified"] and full["verified"] and full["preview"]["method"] == "full"
        rows["counts"].append({"changed": changed, "check_wall": check_wall, "delta_wall": delta_wall,
                               "full_wall": full_wall, "restore_database_statement": database_statement,
                               "restore_table_statements": table_statements})
        print("%d changed: check %.1f s, delta %.1f s, full %.1f s, RESTORE DATABASE %.1f s, %d x RESTORE TABLE %.1f s"
              % (changed, check_wall, delta_wall, full_wall, database_statement, changed, table_statements),
              flush=True)
    target.sql("DROP SNAPSHOT IF EXISTS %s" % SNAPSHOT, "DROP DATABASE IF EXISTS %s" % DB)
    return rows


def plot(results):
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
    fig, ax = plt.subplots(figsize=(7, 4))
    for index, (label, run) in enumerate(sorted(results["runs"].items())):
        changed = [c["changed"] for c in run["counts"]]
        color = "C%d" % index
        ax.plot(changed, [c["full_wall"] for c in run["counts"]], "s--", color=color,
                label="%s: method=full" % label)
        ax.plot(changed, [c["delta_wall"] for c in run["counts"]], "o-", color=color,
                label="%s: method=delta" % label)
    ax.set_xscale("log")
    ax.set_xlabel("tables changed (of %d)" % max(r["tables"] for r in results["runs"].values()))
    ax.set_ylabel("mo_restore wall seconds, verification included")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(OUT, "restore_delta.png"), dpi=100)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, help="a running server (default: start the test server)")
    parser.add_argument("--password", default=os.environ.get("MO_BENCH_PASSWORD", "111"))
    parser.add_argument("--version", default="4.1.4", help="the test server's version")
    parser.add_argument("--label", default="test server")
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--changed", default="1,100,1000")
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "restore_delta.json")
    results = json.load(open(path)) if os.path.exists(path) else {"runs": {}}
    colls = collections_dir()
    target = Target(args.port, args.password, args.version)
    try:
        run = measure(target, colls, args.tables, [int(x) for x in args.changed.split(",")])
    finally:
        target.stop()
    run["machine"] = machine()
    run["date"] = time.strftime("%Y-%m-%d")
    results["runs"][args.label] = run
    with open(path, "w") as f:
        json.dump(results, f, indent=2, sort_keys=True)
    plot(results)
    print("wrote %s and restore_delta.png" % path)


if __name__ == "__main__":
    main()
