# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the reliability suite: test servers, and modules run through the `ansible` CLI.

The collection comes from MO_COLLECTIONS_PATH (the installed artifact in `make test`) or, for a run
by hand, from a link to this checkout.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

import pymysql
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


@pytest.fixture(scope="session")
def collections_path():
    path = os.environ.get("MO_COLLECTIONS_PATH")
    if path:
        return path
    root = tempfile.mkdtemp(prefix="mo-reliability-")
    os.makedirs(os.path.join(root, "ansible_collections", "matrixone"))
    os.symlink(REPO, os.path.join(root, "ansible_collections", "matrixone", "backup"))
    return root


REAL_HOST = os.environ.get("MO_TEST_HOST")


class Server:
    """A test server, or with MO_TEST_HOST the real MatrixOne it names (then only tests that need no server
    options run, and what a test created there is dropped afterwards)."""

    def __init__(self, version="4.2.0", extra=(), password="111"):
        self.password = password
        self.host, self.proc = "127.0.0.1", None
        if REAL_HOST:
            real_password = os.environ.get("MO_TEST_PASSWORD") or "111"
            if extra or version != "4.2.0" or password != real_password:
                pytest.skip("needs a test server started with its own version, password or TLS options")
            self.host, self.port = REAL_HOST, int(os.environ.get("MO_TEST_PORT") or 6001)
            self.before = self.objects()
            return
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.mo_server", "--port", "0", "--version", version]
                                     + list(extra), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, env=dict(os.environ, MO_SERVER_ROOT_PASSWORD=password))
        self.port = int(re.match(r"READY [\d.]+:(\d+)", self.proc.stdout.readline()).group(1))

    def objects(self):
        """Snapshots, databases and accounts that exist now (to drop what a test made on a real server)."""
        return {"SNAPSHOT": {r[0] for r in self.sql("SHOW SNAPSHOTS")},
                "DATABASE": {r[0] for r in self.sql("SHOW DATABASES")},
                "ACCOUNT": {r[0] for r in self.sql("SELECT account_name FROM mo_catalog.mo_account")}}

    def sql(self, *statements, user="root", password=None):
        conn = pymysql.connect(host=self.host, port=self.port, user=user, password=password or self.password,
                               autocommit=True)
        rows = ()
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
                rows = cur.fetchall()
        conn.close()
        return rows

    def arm(self, kind, prefix, seconds=0):
        if self.proc is None:
            pytest.skip("fault injection is a feature of the test server")
        self.sql("SELECT mo_test_fault('%s', '%s', %d)" % (kind, prefix, seconds))

    def login(self, **extra):
        args = {"login_host": self.host, "login_port": self.port, "login_user": "root",
                "login_password": self.password}
        args.update(extra)
        return args

    def stop(self):
        if self.proc is None:
            for kind, names in self.objects().items():
                for name in sorted(names - self.before[kind]):
                    self.sql("DROP %s IF EXISTS `%s`" % (kind, name))
            return
        self.proc.terminate()
        self.proc.wait()


@pytest.fixture
def server():
    srv = Server()
    yield srv
    srv.stop()


def ansible_env(collections_path):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path,
               PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    for key in list(env):
        if key.startswith("MO_") and key not in ("MO_COLLECTIONS_PATH",):
            env.pop(key)
    return env


@pytest.fixture
def module(collections_path):
    """module(name, args, check=False) -> the module's result dict (run as `ansible localhost -m`)."""
    def run(name, args, check=False, verbosity=0, env=None):
        cmd = [os.path.join(BIN, "ansible"), "localhost", "-o", "-m", "matrixone.backup." + name, "-a",
               json.dumps(args), "-e", "ansible_python_interpreter=" + sys.executable]
        if check:
            cmd.append("--check")
        if verbosity:
            cmd.append("-" + "v" * verbosity)
        full_env = ansible_env(collections_path)
        full_env.update(env or {})
        proc = subprocess.run(cmd, capture_output=True, text=True, env=full_env, check=False)
        line = [ln for ln in proc.stdout.splitlines() if ln.startswith("localhost | ")][-1]
        status, _sep, payload = line[len("localhost | "):].partition(" => ")
        result = json.loads(payload)
        result["failed"] = status.startswith("FAILED")
        result["_output"] = proc.stdout + proc.stderr
        return result
    return run


@pytest.fixture
def playbook(collections_path, tmp_path):
    """playbook(text, extra_vars, verbosity) -> CompletedProcess with the default (human) output."""
    def run(text, extra_vars=None, verbosity=0, env=None):
        path = tmp_path / ("play-%s.yml" % os.urandom(6).hex())  # unique: tests run playbooks in parallel
        path.write_text(text)
        cmd = [os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local", str(path),
               "-e", "ansible_python_interpreter=" + sys.executable]
        if extra_vars:
            cmd += ["-e", json.dumps(extra_vars)]
        if verbosity:
            cmd.append("-" + "v" * verbosity)
        full_env = ansible_env(collections_path)
        full_env.update(env or {})
        return subprocess.run(cmd, capture_output=True, text=True, env=full_env, check=False)
    return run
