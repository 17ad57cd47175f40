# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Figures of the test server: start to READY, one round trip, account snapshot + restore of 100 x 10k rows.

python tests/utils/server_figures.py [--version 4.2.0] [--tables 100] [--rows 10000]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

import pymysql

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--version", default="4.2.0")
    parser.add_argument("--tables", type=int, default=100)
    parser.add_argument("--rows", type=int, default=10000)
    args = parser.parse_args()
    starts = []
    for _attempt in range(5):
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "tests.mo_server", "--port", "0", "--version", args.version],
                                cwd=REPO, stdout=subprocess.PIPE, text=True)
        line = proc.stdout.readline()
        starts.append(time.perf_counter() - t)
        proc.terminate()
        proc.wait()
    print("start to READY: median %.3f s of 5 (min %.3f, max %.3f)"
          % (statistics.median(starts), min(starts), max(starts)))
    proc = subprocess.Popen([sys.executable, "-m", "tests.mo_server", "--port", "0", "--version", args.version],
                            cwd=REPO, stdout=subprocess.PIPE, text=True)
    port = int(re.match(r"READY [\d.]+:(\d+)", proc.stdout.readline()).group(1))
    try:
        conn = pymysql.connect(host="127.0.0.1", port=port, user="root", password="111", autocommit=True)
        cur = conn.cursor()
        trips = []
        for _attempt in range(1000):
            t = time.perf_counter()
            cur.execute("SELECT version()")
            cur.fetchall()
            trips.append(time.perf_counter() - t)
        print("round trip (SELECT version()): median %.3f ms of 1000" % (statistics.median(trips) * 1000))
        cur.execute("CREATE DATABASE fig")
        t = time.perf_counter()
        values = ", ".join("(%d, 'row %d')" % (i, i) for i in range(args.rows))
        for n in range(args.tables):
            cur.execute("CREATE TABLE fig.t%d (id int primary key, v varchar(20))" % n)
            cur.execute("INSERT INTO fig.t%d VALUES %s" % (n, values))
        print("load %d tables x %d rows: %.1f s" % (args.tables, args.rows, time.perf_counter() - t))
        t = time.perf_counter()
        cur.execute("CREATE SNAPSHOT fig_sp FOR ACCOUNT sys")
        print("account snapshot: %.3f s" % (time.perf_counter() - t))
        cur.execute("DELETE FROM fig.t0")
        cur.execute("DROP TABLE fig.t1")
        restore = "RESTORE ACCOUNT sys {SNAPSHOT = fig_sp}" if args.version.startswith("4") else \
            "RESTORE ACCOUNT sys FROM SNAPSHOT fig_sp"
        t = time.perf_counter()
        cur.execute(restore)
        print("account restore: %.3f s" % (time.perf_counter() - t))
        cur.execute("SELECT (SELECT count(*) FROM fig.t0), (SELECT count(*) FROM fig.t1)")
        print("after restore: t0 %d rows, t1 %d rows" % cur.fetchone())
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
