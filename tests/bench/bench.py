# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make bench`: measure the modules and the role against the test server; write docs/performance.md.

Every figure is measured in one run on this machine, side by side: medians of several runs after a
warm-up, round trips counted by the server (`SHOW GLOBAL STATUS LIKE 'Questions'`). Raw numbers go
to docs/performance/results.json next to the PNG plots.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

import pymysql

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
OUT = os.path.join(REPO, "docs", "performance")


class Server:
    def __init__(self, version="4.2.0"):
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.mo_server", "--port", "0", "--version", version],
                                     cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.port = int(re.match(r"READY [\d.]+:(\d+)", self.proc.stdout.readline()).group(1))
        self.conn = pymysql.connect(host="127.0.0.1", port=self.port, user="root", password="111", autocommit=True)

    def sql(self, *statements):
        with self.conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
            return cur.fetchall()

    def questions(self):
        return int(self.sql("SHOW GLOBAL STATUS LIKE 'Questions'")[0][1])

    def stop(self):
        self.conn.close()
        self.proc.terminate()
        self.proc.wait()


def collections_dir():
    root = tempfile.mkdtemp(prefix="mo-bench-")
    dist = os.path.join(root, "dist")
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--force", "--output-path", dist,
                    REPO], check=True, stdout=subprocess.DEVNULL)
    artifact = os.path.join(dist, os.listdir(dist)[0])
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--force", "-p",
                    os.path.join(root, "inst"), artifact], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return os.path.join(root, "inst")


def env_for(colls, port=None):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=colls, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    if port:
        env.update(MO_PORT=str(port), MO_PASSWORD="111")
    return env


def timed(cmd, env, runs):
    """Median wall time of a command over `runs` runs after one warm-up."""
    subprocess.run(cmd, env=env, capture_output=True, check=False)
    walls = []
    for _run in range(runs):
        t = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        walls.append(time.perf_counter() - t)
        if proc.returncode != 0:
            raise RuntimeError("%s failed: %s" % (" ".join(cmd[:4]), proc.stdout[-500:]))
    return statistics.median(walls)


def adhoc(module, args, check=False):
    cmd = [os.path.join(BIN, "ansible"), "localhost", "-m", module, "-a", args, "-e",
           "ansible_python_interpreter=" + sys.executable]
    return cmd + (["--check"] if check else [])


def round_trips(server, cmd, env):
    before = server.questions()
    subprocess.run(cmd, env=env, capture_output=True, check=True)
    return server.questions() - before - 1


def bare_pymysql(port, statements, runs):
    """The physical floor: a Python process that connects and sends the same SQL."""
    script = ("import os, pymysql\nc = pymysql.connect(host='127.0.0.1', port=%d, user='root', password='111', "
              "autocommit=True)\ncur = c.cursor()\nu = os.urandom(4).hex()\nfor s in %r:\n"
              "    cur.execute(s.replace('{u}', u))\n    cur.fetchall()\n" % (port, statements))
    return timed([sys.executable, "-c", script], dict(os.environ), runs)


def module_costs(colls, runs):
    srv = Server()
    env = env_for(colls, srv.port)
    srv.sql("CREATE DATABASE b", "CREATE TABLE b.t (a int)", "INSERT INTO b.t VALUES (1), (2)",
            "CREATE SNAPSHOT bench_base FOR ACCOUNT sys", "CREATE SNAPSHOT bench_keep FOR ACCOUNT sys")
    rows = []
    ping = timed(adhoc("ansible.builtin.ping", ""), env, runs)
    rows.append(("ansible.builtin.ping (floor)", ping, None, None))
    cases = [
        ("mo_snapshot create", adhoc("matrixone.backup.mo_snapshot", "name=bench_new"),
         ["SELECT version()", "SHOW SNAPSHOTS WHERE snapshot_name = 'bx_{u}'", "CREATE SNAPSHOT bx_{u} FOR ACCOUNT",
          "SHOW SNAPSHOTS WHERE snapshot_name = 'bx_{u}'"], "DROP SNAPSHOT IF EXISTS bench_new"),
        ("mo_snapshot no-op", adhoc("matrixone.backup.mo_snapshot", "name=bench_keep"),
         ["SELECT version()", "SHOW SNAPSHOTS WHERE snapshot_name = 'bench_keep'"], None),
        ("mo_snapshot_info", adhoc("matrixone.backup.mo_snapshot_info", "prefix=bench_"),
         ["SELECT version()", "SHOW SNAPSHOTS WHERE SUBSTRING(snapshot_name, 1, 6) = 'bench_'"], None),
        ("mo_restore check mode", adhoc("matrixone.backup.mo_restore", "snapshot=bench_base level=database database=b",
                                        check=True), None, None),
        ("mo_restore real", adhoc("matrixone.backup.mo_restore", "snapshot=bench_base level=database database=b"),
         None, None),
    ]
    for label, cmd, floor_sql, reset in cases:
        walls = []
        subprocess.run(cmd, env=env, capture_output=True, check=False)
        for _run in range(runs):
            if reset:
                srv.sql(reset)
            t = time.perf_counter()
            subprocess.run(cmd, env=env, capture_output=True, check=True)
            walls.append(time.perf_counter() - t)
        if reset:
            srv.sql(reset)
        trips = round_trips(srv, cmd, env)
        if reset:
            srv.sql(reset)
        floor = None
        if floor_sql:
            floor = bare_pymysql(srv.port, floor_sql, runs)
        rows.append((label, statistics.median(walls), trips, floor))
    srv.stop()
    return rows


def data_scale(colls, sizes, runs):
    out = []
    for n in sizes:
        srv = Server()
        env = env_for(colls, srv.port)
        srv.sql("CREATE DATABASE s")
        for i in range(n):
            srv.sql("CREATE TABLE s.t%d (a int)" % i, "INSERT INTO s.t%d VALUES (1)" % i)
        srv.sql("CREATE SNAPSHOT scale_sp FOR ACCOUNT sys")
        for i in range(n):
            srv.sql("INSERT INTO s.t%d VALUES (2)" % i)
        preview = adhoc("matrixone.backup.mo_restore", "snapshot=scale_sp level=database database=s", check=True)
        real = adhoc("matrixone.backup.mo_restore", "snapshot=scale_sp level=database database=s")
        trips_preview = round_trips(srv, preview, env)
        wall_preview = timed(preview, env, runs)
        trips_real = round_trips(srv, real, env)
        wall_real = timed(real, env, max(1, runs // 2))
        out.append({"tables": n, "preview_round_trips": trips_preview, "preview_wall": wall_preview,
                    "restore_round_trips": trips_real, "restore_wall": wall_real})
        srv.stop()
    return out


FLEET_PLAY = """
- hosts: mo
  gather_facts: false
  connection: local
  tasks:
    - name: Snapshot each server
      matrixone.backup.mo_snapshot:
        name: fleet_sp
        login_port: "{{ mo_port }}"
        login_password: "111"
"""


def fleet(colls, sizes):
    out = []
    workdir = tempfile.mkdtemp(prefix="mo-fleet-")
    play = os.path.join(workdir, "fleet.yml")
    with open(play, "w") as f:
        f.write(FLEET_PLAY)
    for n in sizes:
        servers = [Server() for _i in range(n)]
        inventory = os.path.join(workdir, "inv%d.ini" % n)
        with open(inventory, "w") as f:
            f.write("[mo]\n" + "".join("mo%d mo_port=%d ansible_python_interpreter=%s\n" % (i, s.port, sys.executable)
                                       for i, s in enumerate(servers)))
        env = env_for(colls)
        results = {}
        for label, forks in (("parallel", n), ("sequential", 1)):
            for s in servers:
                s.sql("DROP SNAPSHOT IF EXISTS fleet_sp")
            t = time.perf_counter()
            subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", inventory, "-f", str(forks), play],
                           env=env, capture_output=True, check=True)
            results[label] = time.perf_counter() - t
        out.append({"servers": n, "parallel_wall": results["parallel"], "sequential_wall": results["sequential"]})
        for s in servers:
            s.stop()
    return out


GUARD_PLAY = """
- hosts: localhost
  gather_facts: false
  connection: local
  tasks:
    - name: Bare no-op migration
      matrixone.backup.mo_sql:
        sql: SELECT 1
      when: not (guarded | bool)
    - name: Guarded no-op migration
      ansible.builtin.include_role:
        name: matrixone.backup.snapshot_guard
      vars:
        snapshot_guard_database: g
        snapshot_guard_change_sql: ["SELECT 1"]
        snapshot_guard_retention: 3
      when: guarded | bool
"""


def role_overhead(colls, runs):
    srv = Server()
    srv.sql("CREATE DATABASE g", "CREATE TABLE g.t (a int)")
    env = env_for(colls, srv.port)
    play = os.path.join(tempfile.mkdtemp(prefix="mo-guard-"), "guard.yml")
    with open(play, "w") as f:
        f.write(GUARD_PLAY)
    base = [os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", play, "-e",
            "ansible_python_interpreter=" + sys.executable]
    bare = timed(base + ["-e", "guarded=false"], env, runs)
    guarded = timed(base + ["-e", "guarded=true"], env, runs)
    failing = base + ["-e", "guarded=true", "-e", '{"snapshot_guard_change_sql": ["DELETE FROM g.t", "SELECT * FROM nope"]}']
    t = time.perf_counter()
    subprocess.run(failing, env=env, capture_output=True, check=False)
    rollback = time.perf_counter() - t
    srv.stop()
    return {"bare_wall": bare, "guarded_wall": guarded, "failing_guarded_wall": rollback}


def plot(results):
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
    scale = results["data_scale"]
    fig, ax1 = plt.subplots(figsize=(6, 4))
    tables = [r["tables"] for r in scale]
    ax1.plot(tables, [r["preview_wall"] for r in scale], "o-", label="preview (check mode) wall s")
    ax1.plot(tables, [r["restore_wall"] for r in scale], "s-", label="restore + verify wall s")
    ax1.set_xscale("log")
    ax1.set_xlabel("tables in the database")
    ax1.set_ylabel("seconds")
    ax2 = ax1.twinx()
    ax2.plot(tables, [r["preview_round_trips"] for r in scale], "^--", color="grey", label="preview round trips")
    ax2.plot(tables, [r["restore_round_trips"] for r in scale], "v--", color="black", label="restore round trips")
    ax2.set_ylabel("round trips")
    ax2.set_ylim(0, max(r["restore_round_trips"] for r in scale) + 4)
    fig.legend(loc="upper left", bbox_to_anchor=(0.15, 0.93), fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(OUT, "restore_scale.png"), dpi=100)
    plt.close(fig)
    fleet_rows = results["fleet"]
    fig, ax = plt.subplots(figsize=(6, 4))
    servers = [r["servers"] for r in fleet_rows]
    ax.plot(servers, [r["parallel_wall"] for r in fleet_rows], "o-", label="one play, forks = N")
    ax.plot(servers, [r["sequential_wall"] for r in fleet_rows], "s-", label="one play, forks = 1")
    ax.set_xlabel("servers (N)")
    ax.set_ylabel("wall seconds")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(OUT, "fleet.png"), dpi=100)
    plt.close(fig)


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = re.search(r"model name\s*:\s*(.*)", f.read()).group(1)
    except (OSError, AttributeError):
        pass
    return "%s, %d cores, Python %s, %s" % (cpu, os.cpu_count(), platform.python_version(), platform.platform())


def write_markdown(results):
    lines = ["# Performance", "",
             "Measured by `make bench` (`tests/bench/bench.py`) against the test server on loopback, in one run on: %s."
             % results["machine"], "Medians of %d runs after a warm-up; round trips are statements the server "
             "counted (PyMySQL's `SET NAMES` included). Raw numbers: [performance/results.json]"
             "(performance/results.json)." % results["runs"], "",
             "## Module cost", "",
             "| task | wall (s) | vs ping | round trips | bare PyMySQL, same SQL (s) |", "|---|---|---|---|---|"]
    ping = results["module_costs"][0][1]
    for label, wall, trips, floor in results["module_costs"]:
        cells = (label, wall, (wall / ping - 1) * 100, "-" if trips is None else trips,
                 "-" if floor is None else "%.3f" % floor)
        lines.append("| %s | %.2f | %+.0f%% | %s | %s |" % cells)
    lines += ["", "The Ansible process itself (the ping floor) dominates; the SQL costs milliseconds.", "",
              "## Restore preview and verification vs table count", "",
              "| tables | preview round trips | preview wall (s) | restore+verify round trips | restore+verify wall (s) |",
              "|---|---|---|---|---|"]
    for r in results["data_scale"]:
        cells = (r["tables"], r["preview_round_trips"], r["preview_wall"], r["restore_round_trips"],
                 r["restore_wall"])
        lines.append("| %d | %d | %.2f | %d | %.2f |" % cells)
    lines += ["", "![restore scale](performance/restore_scale.png)", "",
              "Every table gets one row more after the snapshot. The preview's round trips grow by batches, never by "
              "table: one statement lists the objects of both sides, then row counts go 50 tables per statement and "
              "side, row contents 50 tables per statement (from 3 batches on, spread over two connections of the "
              "login). The restore restores only what differs, here every table, so it sends one RESTORE TABLE per "
              "table on top of the preview and the verification.",
              "Wall time grows with the work the test server does per table (it is a Python fixture; on MatrixOne "
              "the counts run in the database).", "",
              "## A fleet from one play", "", "| servers | forks = N (s) | forks = 1 (s) |", "|---|---|---|"]
    for r in results["fleet"]:
        lines.append("| %d | %.1f | %.1f |" % (r["servers"], r["parallel_wall"], r["sequential_wall"]))
    lines += ["", "![fleet](performance/fleet.png)", "",
              "With 2 cores, parallel forks help until the CPU is saturated by the module processes themselves.", "",
              "## Role overhead", "", "| play | wall (s) |", "|---|---|",
              "| bare no-op migration (one mo_sql task) | %.2f |" % results["role"]["bare_wall"],
              "| guarded no-op migration (snapshot_guard) | %.2f |" % results["role"]["guarded_wall"],
              "| guarded migration that fails, restored and verified | %.2f |" % results["role"]["failing_guarded_wall"],
              "", "## Restoring only what differs", "",
              "`tests/bench/restore_delta.py` (run by `make bench` on the test server, and by hand on real "
              "servers) restores a database of 1,000 tables with 1, 100 and all of them changed, per table "
              "(`method=delta`) and whole (`method=full`): [performance/restore_delta.json]"
              "(performance/restore_delta.json), ![restore delta](performance/restore_delta.png)",
              "", "## On a real MatrixOne", "",
              "Measured by hand against real servers (the test server's figures above say little about MatrixOne's "
              "own cost): [performance-real.md](performance-real.md).", ""]
    with open(os.path.join(REPO, "docs", "performance.md"), "w") as f:
        f.write("\n".join(lines))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tables", default="10,100,1000,5000")
    parser.add_argument("--fleet", default="1,10,50")
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    colls = collections_dir()
    results = {"machine": machine(), "runs": args.runs}
    results["module_costs"] = module_costs(colls, args.runs)
    print("module costs done", flush=True)
    results["data_scale"] = data_scale(colls, [int(x) for x in args.tables.split(",")], args.runs)
    print("data scale done", flush=True)
    results["fleet"] = fleet(colls, [int(x) for x in args.fleet.split(",")])
    print("fleet done", flush=True)
    results["role"] = role_overhead(colls, args.runs)
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    plot(results)
    write_markdown(results)
    print("wrote docs/performance.md")


if __name__ == "__main__":
    main()
