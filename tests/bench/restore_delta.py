# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A database restore that restores only what differs, against the whole-database statement, side by side; and
one big table compared against MatrixOne's own floor.

One database of --tables tables x 10 rows, a database snapshot, then one row updated in --changed tables (spread
evenly). For each count of changed tables, measured in one run: mo_restore in check mode, mo_restore method=delta
and method=full for real (verification included), MatrixOne's RESTORE DATABASE alone and the changed tables'
RESTORE TABLE statements alone, and `ansible -m ping` as the floor. The changes are made again before each restore.

Then one table of --rows rows, 1 % of them updated after a database snapshot: the floor (MatrixOne's EXCEPT both
ways, made distinct, plus `ansible -m ping`), `mo_restore --check --diff`, `mo_snapshot_diff` (20 sample rows) and
a real mo_restore, each --runs times (medians kept, every run listed).

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
BIG_DB, BIG_SNAPSHOT = "it_big", "big_sp"
RESTORE = "snapshot=%s level=database database=%s content_max_rows=0" % (SNAPSHOT, DB)  # mo_restore of the delta


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


def module(target, colls, args, check=False, name="mo_restore", diff=False):
    """Wall seconds of one ad-hoc module run (mo_restore by default), and its result (written by `ansible -t`)."""
    tree = tempfile.mkdtemp(prefix="mo-bench-tree-")
    cmd = [os.path.join(BIN, "ansible"), "localhost", "-m", "matrixone.backup." + name, "-a", args, "-e",
           "ansible_python_interpreter=" + sys.executable, "-t", tree] + (["--check"] if check else []) + \
        (["--diff"] if diff else [])
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=colls, PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
               MO_PORT=str(target.port), MO_PASSWORD=target.password)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    try:
        with open(os.path.join(tree, "localhost")) as f:
            result = json.load(f)
    except (OSError, ValueError):
        raise RuntimeError("%s %s: no result: %s %s" % (name, args, proc.stdout[-500:], proc.stderr[-500:]))
    shutil.rmtree(tree)
    if result.get("failed"):
        raise RuntimeError("%s %s failed: %s" % (name, args, result.get("msg")))
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
        check_wall, check = module(target, colls, RESTORE, check=True)
        delta_wall, delta = module(target, colls, RESTORE + " method=delta")
        change(target, names)
        full_wall, full = module(target, colls, RESTORE + " method=full")
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


def big_table(target, colls, rows, runs):
    """One table of `rows` rows, 1 % updated after a database snapshot: the floor and the modules, `runs` times."""
    target.sql("DROP SNAPSHOT IF EXISTS %s" % BIG_SNAPSHOT, "DROP DATABASE IF EXISTS %s" % BIG_DB,
               "CREATE DATABASE %s" % BIG_DB,
               "CREATE TABLE %s.orders (id INT PRIMARY KEY, v VARCHAR(20), q INT)" % BIG_DB)
    for start in range(0, rows, 10000):
        target.sql("INSERT INTO %s.orders VALUES %s" % (BIG_DB, ", ".join(
            "(%d, 'v%d', %d)" % (i, i, i % 97) for i in range(start, min(rows, start + 10000)))))
    target.sql("CREATE SNAPSHOT %s FOR DATABASE %s" % (BIG_SNAPSHOT, BIG_DB))

    def update():
        target.sql("UPDATE %s.orders SET q = q + 1 WHERE id %% 100 = 7" % BIG_DB)
    update()
    table, snap = "%s.orders" % BIG_DB, "%s.orders {SNAPSHOT = '%s'}" % (BIG_DB, BIG_SNAPSHOT)
    restore = "snapshot=%s level=database database=%s content_max_rows=0" % (BIG_SNAPSHOT, BIG_DB)
    measured = {"rows": rows, "updated": len(range(7, rows, 100)), "runs": []}
    for _run in range(runs):
        # the differing rows themselves, as a client would fetch them
        except_now = target.timed_sql(["SELECT DISTINCT * FROM (SELECT * FROM %s EXCEPT SELECT * FROM %s) e"
                                       % (table, snap)])
        except_snap = target.timed_sql(["SELECT DISTINCT * FROM (SELECT * FROM %s EXCEPT SELECT * FROM %s) e"
                                        % (snap, table)])
        floor_ping = ping(colls)
        check_wall, check = module(target, colls, restore, check=True, diff=True)
        diff_wall, diff = module(target, colls, "snapshot=%s" % BIG_SNAPSHOT, name="mo_snapshot_diff")
        assert diff["rows"][0]["updated"] == measured["updated"], diff["rows"]
        assert len(diff["rows"][0]["samples"]["updated"]) == 20
        restore_wall, restored = module(target, colls, restore)
        assert restored["verified"], restored
        update()
        run = {"except_now": except_now, "except_snap": except_snap, "ping": floor_ping,
               "floor": except_now + except_snap + floor_ping, "check_diff": check_wall, "snapshot_diff": diff_wall,
               "restore": restore_wall}
        measured["runs"].append(run)
        print("%d rows: floor %.2f s (EXCEPT %.2f + %.2f, ping %.2f), mo_restore --check --diff %.2f s, "
              "mo_snapshot_diff %.2f s, mo_restore %.2f s"
              % (rows, run["floor"], except_now, except_snap, floor_ping, check_wall, diff_wall, restore_wall),
              flush=True)
    for key in ("floor", "check_diff", "snapshot_diff", "restore"):
        measured[key] = sorted(r[key] for r in measured["runs"])[len(measured["runs"]) // 2]
    target.sql("DROP SNAPSHOT IF EXISTS %s" % BIG_SNAPSHOT, "DROP DATABASE IF EXISTS %s" % BIG_DB)
    return measured


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
    parser.add_argument("--tables", type=int, default=1000, help="tables of the delta restore (0: skip it)")
    parser.add_argument("--changed", default="1,100,1000")
    parser.add_argument("--rows", type=int, help="rows of the big table (default: 10^6 on a real server, 10^4 on "
                        "the test server; 0: skip it)")
    parser.add_argument("--runs", type=int, default=3, help="runs of the big table's measurements")
    args = parser.parse_args()
    rows = args.rows if args.rows is not None else (1000000 if args.port else 10000)
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "restore_delta.json")
    results = json.load(open(path)) if os.path.exists(path) else {"runs": {}}
    colls = collections_dir()
    target = Target(args.port, args.password, args.version)
    try:
        if args.tables:
            run = measure(target, colls, args.tables, [int(x) for x in args.changed.split(",")])
        else:  # the big table only
            run = {"version": target.sql("SELECT version()")[0][0], "tables": 0, "counts": []}
        if rows:
            run["big_table"] = big_table(target, colls, rows, args.runs)
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
