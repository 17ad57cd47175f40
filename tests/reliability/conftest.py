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


class Server:
    def __init__(self, version="4.2.0", extra=(), password="111"):
        self.password = password
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.mo_server", "--port", "0", "--version", version]
                                     + list(extra), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, env=dict(os.environ, MO_SERVER_ROOT_PASSWORD=password))
        self.port = int(re.match(r"READY [\d.]+:(\d+)", self.proc.stdout.readline()).group(1))

    def sql(self, *statements, user="root", password=None):
        conn = pymysql.connect(host="127.0.0.1", port=self.port, user=user, password=password or self.password,
                               autocommit=True)
        rows = ()
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
                rows = cur.fetchall()
        conn.close()
        return rows

    def arm(self, kind, prefix, seconds=0):
        self.sql("SELECT mo_test_fault('%s', '%s', %d)" % (kind, prefix, seconds))

    def login(self, **extra):
        args = {"login_host": "127.0.0.1", "login_port": self.port, "login_user": "root",
                "login_password": self.password}
        args.update(extra)
        return args

    def stop(self):
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
