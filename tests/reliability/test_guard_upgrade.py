# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An upgrade under snapshot_guard says before anything changes that the way back to the old binary is a physical
backup, and refuses to go without one unless told to (tests/upgrade proves the paths on real builds)."""

from conftest import Server

GUARD_UPGRADE = """
- hosts: localhost
  gather_facts: false
  roles:
    - role: matrixone.backup.snapshot_guard
      vars:
        snapshot_guard_connection: {login_port: %d, login_password: "{{ mo_password }}"}
        snapshot_guard_level: cluster
        snapshot_guard_prefix: up_guard
        snapshot_guard_expected_version: "9.9.9"
        snapshot_guard_allow_upgrade_without_backup: %s
        snapshot_guard_change_sql: ["SELECT 1"]
"""


def test_an_upgrade_without_a_physical_backup_is_refused_before_anything_changes(playbook):
    srv = Server()
    try:
        result = playbook(GUARD_UPGRADE % (srv.port, "false"), {"mo_password": srv.password})
        text = " ".join(result.stdout.split())
        assert result.returncode != 0
        assert "Upgrading MatrixOne 4.2.0 to 9.9.9 under a snapshot alone" in text
        assert "set snapshot_guard_backup=true" in text and "Nothing was changed" in text
        assert not [r for r in srv.sql("SHOW SNAPSHOTS") if r[0].startswith("up_guard_")]
    finally:
        srv.stop()


def test_told_to_go_ahead_it_says_there_is_no_way_back_and_the_version_check_guards(playbook):
    srv = Server()
    try:
        result = playbook(GUARD_UPGRADE % (srv.port, "true"), {"mo_password": srv.password})
        text = " ".join(result.stdout.split())
        assert "There is no way back to 4.2.0: no physical backup is taken" in text
        # the server still answers 4.2.0: the health check fails and the snapshot (equal data) is kept
        assert result.returncode != 0 and "the server reports MatrixOne 4.2.0, expected 9.9.9" in text
        assert [r for r in srv.sql("SHOW SNAPSHOTS") if r[0].startswith("up_guard_")]
    finally:
        srv.stop()
