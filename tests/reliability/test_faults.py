# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The server dies or the connection drops before, during and after statements: never "ok", always converges."""

import socket

import pytest

from conftest import Server

UNKNOWN = "the outcome is unknown, check the server state before re-running"


def snapshots(server, prefix=""):
    return [r[0] for r in server.sql("SHOW SNAPSHOTS") if r[0].startswith(prefix)]


def test_drop_before_create_snapshot_fails_and_rerun_converges(server, module):
    server.arm("drop_before", "CREATE SNAPSHOT")
    first = module("mo_snapshot", dict(server.login(), name="f_before"))
    assert first["failed"] and UNKNOWN in first["msg"] and "CREATE SNAPSHOT `f_before`" in first["msg"]
    assert snapshots(server) == []
    again = module("mo_snapshot", dict(server.login(), name="f_before"))
    assert again["changed"] and not again.get("failed") and snapshots(server) == ["f_before"]


def test_drop_after_create_snapshot_fails_and_rerun_finds_it(server, module):
    server.arm("drop_after", "CREATE SNAPSHOT")
    first = module("mo_snapshot", dict(server.login(), name="f_after"))
    assert first["failed"] and UNKNOWN in first["msg"]
    assert snapshots(server) == ["f_after"]  # it happened, though the module could not know
    again = module("mo_snapshot", dict(server.login(), name="f_after"))
    assert not again["changed"] and not again.get("failed")


@pytest.mark.parametrize("method, statement", [
    ("delta", "RESTORE TABLE `fr`.`t` {SNAPSHOT = `fr_sp`}"),
    ("full", "RESTORE DATABASE `fr` {SNAPSHOT = `fr_sp`}"),
])
def test_connection_lost_mid_restore_is_never_retried_and_rerun_converges(server, module, method, statement):
    server.sql("CREATE DATABASE fr", "CREATE TABLE fr.t (a int)", "INSERT INTO fr.t VALUES (1), (2)",
               "CREATE SNAPSHOT fr_sp FOR ACCOUNT sys", "DELETE FROM fr.t")
    server.arm("drop_after", "RESTORE")
    args = dict(server.login(), snapshot="fr_sp", level="database", database="fr", method=method)
    first = module("mo_restore", args)
    assert first["failed"] and UNKNOWN in first["msg"] and not first.get("verified")
    assert [q for q in first["queries"] if q.startswith("RESTORE")] == [statement]
    again = module("mo_restore", args)
    assert not again.get("failed") and again["preview"]["identical"] is True and not again["changed"]
    assert server.sql("SELECT count(*) FROM fr.t") == ((2,),)


def test_connection_lost_during_prune_reports_what_was_dropped(server, module):
    for i in range(5):
        server.sql("CREATE SNAPSHOT fp_%d FOR ACCOUNT sys" % i)
    server.sql("SELECT 1")
    server.arm("drop_after", "DROP SNAPSHOT IF EXISTS `fp_1`")
    first = module("mo_snapshot_prune", dict(server.login(), prefix="fp_", keep_newest=2))
    assert first["failed"] and "pruning snapshots (1 dropped before the error)" in first["msg"]
    assert [s["name"] for s in first["dropped"]] == ["fp_2"]
    again = module("mo_snapshot_prune", dict(server.login(), prefix="fp_", keep_newest=2))
    assert not again.get("failed")
    assert sorted(snapshots(server, "fp_")) == ["fp_3", "fp_4"]


def test_server_that_stops_answering_hits_read_timeout(server, module):
    server.arm("stall", "SHOW SNAPSHOTS", 5)
    result = module("mo_snapshot", dict(server.login(), name="f_slow", read_timeout=1))
    assert result["failed"] and "MatrixOne did not answer within read_timeout=1s" in result["msg"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_each_connection_failure_is_distinct(server, module):
    refused = module("mo_snapshot_info", dict(server.login(), login_port=free_port()))
    unknown_host = module("mo_snapshot_info", dict(server.login(), login_host="no-such-host.invalid"))
    wrong_password = module("mo_snapshot_info", dict(server.login(), login_password="not-the-password"))
    no_tenant = module("mo_snapshot_info", dict(server.login(), login_account="no_such_tenant"))
    assert "nothing listens on 127.0.0.1:" in refused["msg"]
    assert "host name no-such-host.invalid cannot be resolved" in unknown_host["msg"]
    assert "(1045)" in wrong_password["msg"] and "the password is wrong" in wrong_password["msg"]
    assert "no_such_tenant#root" in no_tenant["msg"] and "account no_such_tenant does not exist" in no_tenant["msg"]
    assert len({r["msg"] for r in (refused, unknown_host, wrong_password, no_tenant)}) == 4
    assert all(r["failed"] and "server" not in r for r in (refused, unknown_host, wrong_password, no_tenant))


def test_server_killed_after_snapshot_role_keeps_it_and_recovery_command_works(playbook, module):
    srv = Server()
    try:
        srv.sql("CREATE DATABASE kr", "CREATE TABLE kr.t (a int)", "INSERT INTO kr.t VALUES (1), (2), (3)")
        srv.arm("drop_after", "RESTORE")  # the automatic restore runs, but its answer never arrives
        result = playbook(GUARD_FAILING % srv.port, {"mo_password": srv.password})
        assert result.returncode != 0
        assert "ALSO FAILED" in result.stdout and "Nothing was dropped" in result.stdout
        name = [n for n in (r[0] for r in srv.sql("SHOW SNAPSHOTS")) if n.startswith("kr_guard_")]
        assert len(name) == 1
        hint = "ansible localhost -m matrixone.backup.mo_restore -a 'snapshot=%s level=database database=kr'" % name[0]
        assert hint in " ".join(result.stdout.split())
        # the lost restore did run: the hint's command finds the data equal to the snapshot and sends nothing
        rerun = module("mo_restore", dict(srv.login(), snapshot=name[0], level="database", database="kr"))
        assert not rerun["changed"] and rerun["preview"]["identical"] is True
        assert not [q for q in rerun["queries"] if q.startswith("RESTORE")]
        assert srv.sql("SELECT count(*) FROM kr.t") == ((3,),)
    finally:
        srv.stop()


GUARD_FAILING = """
- hosts: localhost
  gather_facts: false
  roles:
    - role: matrixone.backup.snapshot_guard
      vars:
        snapshot_guard_connection: {login_port: %d, login_password: "{{ mo_password }}"}
        snapshot_guard_database: kr
        snapshot_guard_prefix: kr_guard
        snapshot_guard_change_sql: ["DELETE FROM kr.t", "INSERT INTO kr.missing VALUES (1)"]
"""


@pytest.mark.parametrize("version", ["3.0.18"])
def test_faults_on_the_legacy_grammar_too(version, module):
    srv = Server(version)
    try:
        srv.sql("CREATE DATABASE lg", "CREATE TABLE lg.t (a int)", "CREATE SNAPSHOT lg_sp FOR ACCOUNT sys",
                "INSERT INTO lg.t VALUES (1)")
        srv.arm("drop_before", "RESTORE")
        first = module("mo_restore", dict(srv.login(), snapshot="lg_sp", level="table", database="lg", table="t"))
        assert first["failed"] and UNKNOWN in first["msg"]
        assert srv.sql("SELECT count(*) FROM lg.t") == ((1,),)  # dropped before it ran: nothing restored
        again = module("mo_restore", dict(srv.login(), snapshot="lg_sp", level="table", database="lg", table="t"))
        assert again["verified"] and srv.sql("SELECT count(*) FROM lg.t") == ((0,),)
    finally:
        srv.stop()


def test_backup_that_fails_midway_names_the_partial_backup_and_is_never_reused(server, module, tmp_path):
    target = str(tmp_path / "midway")
    server.arm("fail_midway", "BACKUP")
    first = module("mo_backup", dict(server.login(), path=target))
    assert first["failed"] and "no space left on device" in first["msg"]
    # the path by its last part: a no_log value (the password 111) is masked even inside a path like pytest-111/
    assert "MatrixOne left a partial backup at " in first["msg"] and "/midway, " in first["msg"]
    assert "delete it" in first["msg"]
    again = module("mo_backup", dict(server.login(), path=target))
    assert again["failed"] and again["queries"] == [] and "partial" in again["msg"]


def test_backup_whose_answer_is_lost_converges_on_rerun(server, module, tmp_path):
    target = str(tmp_path / "lost")
    server.arm("drop_after", "BACKUP")
    first = module("mo_backup", dict(server.login(), path=target))
    assert first["failed"] and UNKNOWN in first["msg"]
    assert "now holds a complete backup: run the task again to verify it" in first["msg"]
    again = module("mo_backup", dict(server.login(), path=target))
    assert not again.get("failed") and not again["changed"] and again["queries"] == []
    assert again["backup"]["verified"] == "checksums"


def test_an_s3_backup_refused_for_the_servers_environment_says_what_to_change(module, tmp_path):
    """Real v3.0.18 and v4.1.4 started with AWS_CA_BUNDLE refuse every S3 backup with a riddle; the task says why."""
    import os  # pylint: disable=import-outside-toplevel
    import subprocess  # pylint: disable=import-outside-toplevel
    import sys  # pylint: disable=import-outside-toplevel
    import time  # pylint: disable=import-outside-toplevel
    import boto3  # pylint: disable=import-outside-toplevel
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    moto = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "moto_server"), "-H", "127.0.0.1", "-p",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server(extra=["--aws-ca-bundle", str(tmp_path / "ca.pem")])
    try:
        endpoint = "http://127.0.0.1:%d" % port
        keys = ("reliability-access-key", "reliability-Secret-key-9")
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=keys[0],
                              aws_secret_access_key=keys[1])
        for _attempt in range(100):
            try:
                client.create_bucket(Bucket="backups")
                break
            except Exception:  # pylint: disable=broad-except
                time.sleep(0.2)
        s3 = dict(endpoint=endpoint, bucket="backups", region="us-east-1", access_key_id=keys[0],
                  secret_access_key=keys[1])
        result = module("mo_backup", dict(server.login(), path="nightly/full1", s3=s3))
        assert result["failed"] and result["error_code"] == 1105
        assert "unable to add custom RootCAs HTTPClient" in result["msg"]
        assert "has AWS_CA_BUNDLE in its environment" in result["msg"] and "Restart every MatrixOne service" in result["msg"]
        assert keys[1] not in result["_output"] and keys[0] not in result["_output"]
    finally:
        server.stop()
        moto.terminate()
        moto.wait()
