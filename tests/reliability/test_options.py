# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options that cannot work fail cleanly on every module, before any connection; blanks are unset."""

import json
import os
import subprocess
import sys

import pytest
from conftest import BIN, REPO, ansible_env

MODULES = {
    "mo_snapshot": {"name": "opt_sp"},
    "mo_snapshot_info": {},
    "mo_snapshot_prune": {"prefix": "opt_", "keep_newest": 1},
    "mo_restore": {"snapshot": "opt_sp"},
    "mo_pitr": {"name": "opt_pitr", "range_value": 1, "range_unit": "d"},
    "mo_pitr_info": {},
    "mo_sql": {"sql": "SELECT 1"},
    "mo_snapshot_diff": {"snapshot": "opt_sp"},
}


@pytest.mark.parametrize("name", sorted(MODULES))
@pytest.mark.parametrize("option, fragment", [
    ({"config_file": "/nonexistent/mo.cnf"}, "config_file /nonexistent/mo.cnf does not exist"),
    ({"ca_cert": "/nonexistent/ca.pem"}, "ca_cert /nonexistent/ca.pem does not exist"),
])
def test_unusable_options_fail_cleanly_on_every_module(module, name, option, fragment):
    result = module(name, dict(MODULES[name], **option))
    assert result["failed"] and fragment in result["msg"], result
    assert "Traceback" not in result["_output"] and result.get("queries") == []


def test_blank_environment_values_count_as_unset(server, module):
    """AWX leaves blank credential fields as empty variables: MO_PORT="" must not be a conversion error."""
    result = module("mo_snapshot_info", server.login(), env={"MO_PORT": "", "MO_TLS_MODE": "", "MO_ACCOUNT": " "})
    assert not result["failed"], result


ROLE_PLAY = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/matrixone.backup.matrixone: {play_defaults}
  roles:
    - role: matrixone.backup.snapshot_guard
      vars:
        snapshot_guard_database: opt_guard
        snapshot_guard_connection: {role_connection}
        snapshot_guard_change_sql: ["INSERT INTO opt_guard.t VALUES (2)"]
"""


@pytest.mark.parametrize("play_defaults, role_connection", [
    ("{{login_port: {port}, login_password: '111'}}", "{{}}"),  # the play's defaults alone
    ("{{login_password: '111', login_port: 1}}", "{{login_port: {port}}}"),  # the role's option wins, the rest stays
])
def test_the_role_keeps_the_plays_module_defaults(server, playbook, play_defaults, role_connection):
    server.sql("CREATE DATABASE opt_guard", "CREATE TABLE opt_guard.t (a int)")
    text = ROLE_PLAY.format(play_defaults=play_defaults.format(port=server.port),
                            role_connection=role_connection.format(port=server.port))
    run = playbook(text)
    assert run.returncode == 0 and "failed=0" in run.stdout, run.stdout[-3000:]
    assert server.sql("SELECT a FROM opt_guard.t") == ((2,),)


@pytest.mark.parametrize("check", [False, True])
def test_the_role_publishes_what_it_did_and_nothing_it_did_not(server, playbook, check):
    """A real run publishes success and what the change did; a --check run neither a success nor a snapshot name."""
    server.sql("CREATE DATABASE opt_guard", "CREATE TABLE opt_guard.t (a int)")
    play = ROLE_PLAY.format(play_defaults="{login_port: %d, login_password: '111'}" % server.port,
                            role_connection="{}")
    run = playbook(play.replace("gather_facts: false", "gather_facts: false\n  check_mode: %s" % check),
                   env={"ANSIBLE_SHOW_CUSTOM_STATS": "true"})
    assert run.returncode == 0, run.stdout[-3000:]
    stats = json.loads(run.stdout[run.stdout.index("RUN: ") + 5:].split("\n", 1)[0])
    if check:
        assert stats["snapshot_guard_result"] == "check_mode" and "snapshot_guard_snapshot_name" not in stats, stats
        assert server.sql("SELECT count(*) FROM opt_guard.t") == ((0,),)
    else:
        assert stats["snapshot_guard_result"] == "success" and stats["snapshot_guard_snapshot_name"], stats
        assert stats["snapshot_guard_changes"] == "opt_guard.t: 1 rows only after, 0 only before", stats


def test_a_misspelled_check_key_is_refused_before_anything_runs(server, playbook):
    play = ROLE_PLAY.format(play_defaults="{login_port: %d, login_password: '111'}" % server.port,
                            role_connection="{}")
    play = play.replace('snapshot_guard_change_sql: ["INSERT INTO opt_guard.t VALUES (2)"]',
                        'snapshot_guard_checks: [{name: rows, sql: "SELECT 1 AS n", expected: [{n: 999}]}]')
    run = playbook(play)
    assert run.returncode != 0 and "expected" in run.stdout and "failed=1" in run.stdout, run.stdout[-3000:]
    assert not [r for r in server.sql("SHOW SNAPSHOTS") if r[0].startswith("guard_")]  # nothing was taken


def test_the_demo_refuses_a_server_it_did_not_start(server, collections_path):
    """playbooks/demo.yml drops `shop`: pointed at a server by MO_* alone, it stops before any SQL."""
    env = ansible_env(collections_path)
    env.update(MO_HOST=server.host, MO_PORT=str(server.port), MO_USER="root", MO_PASSWORD=server.password)
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local",
                           os.path.join(REPO, "playbooks", "demo.yml"), "-e", "ansible_python_interpreter=" + sys.executable],
                          capture_output=True, text=True, env=env, check=False)
    assert proc.returncode != 0 and "drops and recreates the database `shop`" in proc.stdout, proc.stdout[-2000:]
    assert "TASK [Create the shop database" not in proc.stdout  # stopped before its first statement
