# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures: a fresh test server per test module and version, started the way the Makefile starts it."""

import os
import re
import subprocess
import sys

import pymysql
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Server:
    def __init__(self, version, extra=()):
        self.version = version
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.mo_server", "--port", "0", "--version", version]
                                     + list(extra), cwd=REPO, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"READY [\d.]+:(\d+)", line)
        assert m, "server did not start: %r" % line
        self.port = int(m.group(1))

    def connect(self, user="root", password="111", **kw):
        kw.setdefault("autocommit", True)
        return pymysql.connect(host="127.0.0.1", port=self.port, user=user, password=password, **kw)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


@pytest.fixture(scope="module", params=["3.0.18", "4.2.0"])
def server(request):
    srv = Server(request.param)
    yield srv
    srv.stop()


@pytest.fixture
def sql(server):
    """A sys root cursor-like helper: sql("...") -> rows."""
    conn = server.connect()

    def run(statement, *args):
        with conn.cursor() as cur:
            cur.execute(statement, args or None)
            return cur.fetchall()
    run.conn = conn
    run.version = server.version
    yield run
    conn.close()


def error_of(fn, *args):
    with pytest.raises(pymysql.err.MySQLError) as err:
        fn(*args)
    return err.value.args[0], err.value.args[1]
