# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The guarded upgrade (playbooks/guarded_upgrade.yml) on two real MatrixOne builds, each on a fresh mo-data.

  MO_UPGRADE_FROM=/path/to/v3.0.18 MO_UPGRADE_TO=/path/to/v4.1.4 make test STAGES=upgrade

Each build directory holds mo-service, lib/ and etc/launch/ (a MatrixOne build tree; the project never builds one).
A node runs in a scratch directory from a copy of the old build: data and tenants are written, then the playbook
upgrades it under a cluster snapshot and a verified physical backup. Three paths, and the way back:
  - success: the new version runs, the data are intact, snapshot and backup kept, the old binary kept beside it;
  - a failed check after the upgrade (a post-upgrade SQL deletes rows): the snapshot is restored on the new version
    and verified;
  - a new version that does not come back: the play stops with the backup's path and the offline steps, and the
    backup and snapshots are intact;
  - the way back: the old binary does not start on upgraded data; node_upgrade's back_from_backup restores the
    pre-upgrade backup with the old binary.
The figures (upgrade, restore, the guard's overhead) are printed and go to docs/versions.md. Uses the fixed ports of a
single-node MatrixOne (6001, ...): nothing else may run them.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pymysql
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
FROM, TO = os.environ.get("MO_UPGRADE_FROM"), os.environ.get("MO_UPGRADE_TO")
PASSWORD = "upgrade-Root-pw"  # not MatrixOne's default 111, which Ansible would mask inside snapshot times
PORT = 6001
FIGURES = {}

pytestmark = pytest.mark.skipif(not (FROM and TO), reason=(
    "needs two MatrixOne builds: set MO_UPGRADE_FROM and MO_UPGRADE_TO to their directories (mo-service, lib/, etc/)"))


def collections_path():
    path = os.environ.get("MO_COLLECTIONS_PATH")
    if path:
        return path
    root = tempfile.mkdtemp(prefix="mo-upgrade-")
    os.makedirs(os.path.join(root, "ansible_collections", "matrixone"))
    os.symlink(REPO, os.path.join(root, "ansible_collections", "matrixone", "backup"))
    return root


def port_open():
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", PORT)) == 0


def sql(*statements, password=PASSWORD, user="root"):
    conn = pymysql.connect(host="127.0.0.1", port=PORT, user=user, password=password, autocommit=True)
    rows = ()
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
            rows = cur.fetchall()
    conn.close()
    return rows


def version():
    return re.search(r"MatrixOne-v([\d.]+)", sql("SELECT version()")[0][0]).group(1)


class Node:
    """A single-node MatrixOne running in a scratch directory from a copy of a build."""

    def __init__(self, build):
        self.home = tempfile.mkdtemp(prefix="mo-node-")
        shutil.copy2(os.path.join(build, "mo-service"), self.home)
        shutil.copytree(os.path.join(build, "lib"), os.path.join(self.home, "lib"))
        shutil.copytree(os.path.join(build, "etc", "launch"), os.path.join(self.home, "etc", "launch"))
        self.backups = tempfile.mkdtemp(prefix="mo-node-backups-")

    def start(self, binary="./mo-service", wait=True):
        """Start detached (as a service manager would: the process is nobody's child here, so it is reaped)."""
        env = dict((k, v) for k, v in os.environ.items() if k != "AWS_CA_BUNDLE")
        env["TZ"] = "UTC"
        subprocess.run(["sh", "-c", "setsid nohup %s -launch ./etc/launch/launch.toml >> mo-service.log 2>&1 "
                        "< /dev/null &" % binary], cwd=self.home, env=env, check=True)
        if wait:
            self.wait_up()

    def pids(self):
        """The mo-service processes running in this node's directory."""
        found = []
        for pid in subprocess.run(["pgrep", "-x", "mo-service"], capture_output=True, text=True,
                                  check=False).stdout.split():
            try:
                if os.readlink("/proc/%s/cwd" % pid) == os.path.realpath(self.home):
                    found.append(pid)
            except OSError:  # it has just exited
                pass
        return found

    def wait_up(self, timeout=300, password="111"):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for pw in (password, PASSWORD):
                try:
                    sql("SELECT 1", password=pw)
                    return pw
                except pymysql.err.MySQLError:
                    pass
            if not self.pids():
                raise AssertionError("MatrixOne exited (see %s/mo-service.log)" % self.home)
            time.sleep(1)
        raise AssertionError("MatrixOne did not answer within %d s" % timeout)

    def stop(self, kill_after=None):
        """SIGTERM and wait; with kill_after (seconds), SIGKILL what still runs then (cleaning up, not a test)."""
        for pid in self.pids():
            subprocess.run(["kill", "-TERM", pid], check=False)
        deadline = time.time() + (kill_after or 300)
        while (self.pids() or port_open()) and time.time() < deadline:
            time.sleep(1)
        if kill_after and self.pids():
            kept = tempfile.mkdtemp(prefix="mo-node-unstoppable-")
            shutil.copy2(os.path.join(self.home, "mo-service.log"), kept)
            print("\nMatrixOne in %s did not stop %d s after SIGTERM: killed (its log: %s)"
                  % (self.home, kill_after, kept))
            for pid in self.pids():
                subprocess.run(["kill", "-KILL", pid], check=False)
            time.sleep(3)

    def remove(self):
        self.stop(kill_after=180)
        shutil.rmtree(self.home, ignore_errors=True)
        shutil.rmtree(self.backups, ignore_errors=True)


@pytest.fixture
def node():
    assert not port_open(), "something already listens on port %d: stop it, these tests run MatrixOne there" % PORT
    srv = Node(FROM)
    srv.start()
    sql("ALTER USER root IDENTIFIED BY '%s'" % PASSWORD, password="111")
    values = ", ".join("(%d, %d)" % (i, i * 7) for i in range(1, 1001))
    sql("CREATE DATABASE shop", "CREATE TABLE shop.orders (id INT PRIMARY KEY, amount INT)",
        "INSERT INTO shop.orders VALUES %s" % values,
        "CREATE ACCOUNT acc1 ADMIN_NAME 'admin' IDENTIFIED BY 'Acc1-pw'", "CREATE SNAPSHOT before_all FOR CLUSTER")
    sql("CREATE DATABASE crm", "CREATE TABLE crm.c (id INT PRIMARY KEY, n VARCHAR(10))",
        "INSERT INTO crm.c VALUES (1, 'ann'), (2, 'bob')", user="acc1#admin", password="Acc1-pw")
    yield srv
    srv.remove()


def playbook(name, extra, check=False):
    """Run a playbook of the collection on localhost as the sys login; (seconds, rc, output)."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path(), MO_HOST="127.0.0.1", MO_PORT=str(PORT),
               MO_USER="root", MO_PASSWORD=PASSWORD, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    path = name if os.path.isabs(name) else os.path.join(REPO, "playbooks", name)
    cmd = [os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local", path, "-e", json.dumps(extra),
           "-e", "ansible_python_interpreter=" + sys.executable]
    if check:
        cmd.append("--check")
    started = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    return time.time() - started, proc.returncode, proc.stdout + proc.stderr


def upgrade_vars(node, **extra):
    return dict(dict(upgrade_release=TO, upgrade_version=to_version(), upgrade_home=node.home,
                     upgrade_backup_path=node.backups, upgrade_environment={"TZ": "UTC"},
                     upgrade_checks=[{"name": "orders kept", "sql": "SELECT count(*) AS n FROM shop.orders",
                                      "expect": [{"n": 1000}]}]), **extra)


def to_version():
    text = subprocess.run([os.path.join(TO, "mo-service"), "-version"], capture_output=True, text=True,
                          check=False).stdout
    found = re.search(r"Version\s*:\s*v?([\d.]+)", text) or re.search(r"v(\d+\.\d+\.\d+)", text)
    assert found, "cannot read the version of %s/mo-service: %r" % (TO, text[:300])
    return found.group(1)


def module(name, args, check=False):
    """A module of the collection run ad hoc (`ansible localhost -m`): its result, with `_output`."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path(), MO_HOST="127.0.0.1", MO_PORT=str(PORT),
               MO_USER="root", MO_PASSWORD=PASSWORD)
    cmd = [os.path.join(BIN, "ansible"), "localhost", "-o", "-m", "matrixone.backup." + name, "-a", json.dumps(args),
           "-e", "ansible_python_interpreter=" + sys.executable] + (["--check"] if check else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("localhost | ")][-1]
    result = json.loads(line.split(" => ", 1)[1])
    result["_output"] = proc.stdout + proc.stderr
    return result


def backup_info(path):
    return module("mo_backup_info", {"path": path})


def test_success_keeps_data_snapshots_backup_and_the_old_binary(node):
    old = version()
    seconds, rc, output = playbook("guarded_upgrade.yml", upgrade_vars(node))
    assert rc == 0, output[-4000:]
    assert "will not start on them again" in output  # said before the upgrade ran
    FIGURES["guarded upgrade, success (s)"] = round(seconds, 1)
    assert version() == to_version()
    assert sql("SELECT count(*), sum(amount) FROM shop.orders") == ((1000, 3503500),)
    assert sql("SELECT count(*) FROM crm.c", user="acc1#admin", password="Acc1-pw") == ((2,),)
    names = [r[0] for r in sql("SHOW SNAPSHOTS")]
    assert "before_all" in names and any(n.startswith("upgrade_") for n in names)
    assert os.path.exists(os.path.join(node.home, "mo-service.v" + old))
    info = backup_info(node.backups)
    assert info["latest"]["complete"] and info["latest"]["verified"] == "checksums"
    assert info["latest"]["mo_version"] == "v" + old
    # a restore from a snapshot taken before the upgrade says so
    restore = module("mo_restore", {"snapshot": "before_all"}, check=True)
    assert restore["preview"]["versions"]["across_upgrade"], restore
    assert restore["preview"]["versions"]["catalog_at_point"] != restore["preview"]["versions"]["catalog_now"]
    assert restore["preview"]["databases_removed"] == ["acc1.crm"]  # created after the snapshot

    # the way back: the old binary put back does not start on data the new one upgraded ...
    node.stop()
    shutil.copy2(os.path.join(node.home, "mo-service.v" + old), os.path.join(node.home, "mo-service"))
    shutil.rmtree(os.path.join(node.home, "lib"))
    shutil.copytree(os.path.join(node.home, "lib.v" + old), os.path.join(node.home, "lib"))
    log_size = os.path.getsize(os.path.join(node.home, "mo-service.log"))
    started = time.time()
    node.start(wait=False)
    time.sleep(3)
    while node.pids() and time.time() - started < 300:
        time.sleep(1)
    FIGURES["old binary on upgraded data: exits after (s)"] = round(time.time() - started, 1)
    assert not node.pids() and not port_open()
    with open(os.path.join(node.home, "mo-service.log"), errors="replace") as log:
        log.seek(log_size)
        assert "panic:" in log.read()
    # ... the pre-upgrade backup with the old binary brings it back
    seconds, rc, output = playbook("back_from_backup.yml", {"node_home": node.home,
                                                            "node_backup": info["latest"]["location"]})
    assert rc == 0, output[-4000:]
    FIGURES["back to the old version from the backup (s)"] = round(seconds, 1)
    assert version() == old
    assert sql("SELECT count(*), sum(amount) FROM shop.orders") == ((1000, 3503500),)
    assert "before_all" in [r[0] for r in sql("SHOW SNAPSHOTS")]
    assert any(name.startswith("mo-data.upgraded-") for name in os.listdir(node.home))  # moved aside, not deleted


def test_a_failed_check_restores_the_snapshot_on_the_new_version(node):
    seconds, rc, output = playbook("guarded_upgrade.yml", upgrade_vars(
        node, upgrade_sql=["DELETE FROM shop.orders WHERE id <= 10"]))
    assert rc != 0, output[-4000:]
    FIGURES["guarded upgrade, failed check and restore (s)"] = round(seconds, 1)
    assert 'check orders kept: expected [{\'n\': 1000}], got [{\'n\': 990}]' in output or "orders kept" in output
    assert "and verified it" in output, output[-4000:]
    assert "this restore crosses an upgrade" in " ".join(output.split())  # mo_restore's warning (wrapped)
    assert version() == to_version()  # a snapshot restore brings data back, not the binary
    assert sql("SELECT count(*), sum(amount) FROM shop.orders") == ((1000, 3503500),)


def test_a_new_version_that_does_not_come_back_leaves_the_backup_and_the_way_back(node):
    old = version()
    broken = tempfile.mkdtemp(prefix="mo-broken-release-")
    with open(os.path.join(broken, "mo-service"), "w") as f:
        f.write("#!/bin/sh\necho 'this MatrixOne does not start' >&2\nexit 1\n")
    os.chmod(os.path.join(broken, "mo-service"), 0o755)
    os.makedirs(os.path.join(broken, "lib"))
    seconds, rc, output = playbook("guarded_upgrade.yml", upgrade_vars(node, upgrade_release=broken,
                                                                       upgrade_start_timeout=30))
    assert rc != 0, output[-4000:]
    assert "ALSO FAILED" in output and "Physical backup " + node.backups in output, output[-4000:]
    assert "back_from_backup" in output
    info = backup_info(node.backups)
    assert info["latest"]["complete"] and info["latest"]["verified"] == "checksums"
    seconds, rc, output = playbook("back_from_backup.yml", {"node_home": node.home,
                                                            "node_backup": info["latest"]["location"]})
    assert rc == 0, output[-4000:]
    assert version() == old
    names = [r[0] for r in sql("SHOW SNAPSHOTS")]
    assert "before_all" in names and any(n.startswith("upgrade_") for n in names)
    assert sql("SELECT count(*) FROM shop.orders") == ((1000,),)
    shutil.rmtree(broken)


def test_the_bare_upgrade_for_the_guards_overhead(node):
    """The node_upgrade role alone (stop, swap, start, wait): the cost the guard adds is the difference."""
    seconds, rc, output = playbook(os.path.join(REPO, "tests", "upgrade", "bare_upgrade.yml"),
                                   {"node_home": node.home, "node_release": TO, "node_version": to_version()})
    assert rc == 0, output[-4000:]
    FIGURES["bare upgrade, node_upgrade role alone (s)"] = round(seconds, 1)
    assert version() == to_version()
    print("\nguarded upgrade figures (%s -> %s): %s" % (os.path.basename(FROM.rstrip("/")), os.path.basename(
        TO.rstrip("/")), json.dumps(FIGURES)))
