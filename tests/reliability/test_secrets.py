# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Passwords never reach output (even with -vvv and failures), results, or any process's argv."""

import os
import subprocess
import sys
import threading
import time

from conftest import BIN, Server, ansible_env

PLAY = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/matrixone.backup.matrixone:
      login_port: {port}
      login_password: "{{{{ p1 }}}}"
  tasks:
    - name: A snapshot
      matrixone.backup.mo_snapshot:
        name: sec_own
    - name: A restore of a tenant into a new account with its admin password
      matrixone.backup.mo_restore:
        snapshot: sec_sp
        account: sec_src
        to_account: sec_acc
        to_account_admin_name: admin
        to_account_admin_password: "{{{{ p2 }}}}"
    - name: A failing connection
      matrixone.backup.mo_snapshot_info:
        login_port: 1
      ignore_errors: true
    - name: A failing restore in check mode
      matrixone.backup.mo_restore:
        snapshot: sec_sp
        account: sec_src
        to_account: sec_other
      check_mode: true
      ignore_errors: true
    - name: SQL
      matrixone.backup.mo_sql:
        sql: SELECT 1
    - name: A failing guarded change
      block:
        - name: Guard
          ansible.builtin.include_role:
            name: matrixone.backup.snapshot_guard
          vars:
            snapshot_guard_connection: {{login_port: {port}, login_password: "{{{{ p1 }}}}"}}
            snapshot_guard_change_sql: ["CREATE TABLE nowhere.t (a int)"]
      rescue:
        - name: Carry on
          ansible.builtin.debug:
            msg: rolled back
"""


def test_no_password_in_verbose_output_or_results(playbook):
    p1, p2 = "p1-" + os.urandom(8).hex(), "p2-" + os.urandom(8).hex()
    srv = Server(password=p1)
    try:
        srv.sql("CREATE ACCOUNT sec_src ADMIN_NAME 'admin' IDENTIFIED BY 'src-pw'", "CREATE SNAPSHOT sec_sp FOR ACCOUNT sec_src")
        run = playbook(PLAY.format(port=srv.port), {"p1": p1, "p2": p2}, verbosity=3)
        output = run.stdout + run.stderr
        assert "TASK [A failing guarded change]" in output or "Guard" in output
        assert "rolled back" in output and run.returncode == 0, output[-3000:]
        assert p1 not in output and p2 not in output
        assert srv.sql("SHOW DATABASES", user="sec_acc#admin", password=p2)  # the password did work
    finally:
        srv.stop()


def test_no_password_in_any_process_argv(collections_path):
    secret = "argv-" + os.urandom(8).hex()
    srv = Server(password=secret)
    try:
        srv.arm("stall", "SHOW SNAPSHOTS", 3)
        env = ansible_env(collections_path)
        env["MO_PASSWORD"] = secret
        proc = subprocess.Popen([os.path.join(BIN, "ansible"), "localhost", "-m", "matrixone.backup.mo_snapshot",
                                 "-a", "name=argv_sp login_port=%d" % srv.port,
                                 "-e", "ansible_python_interpreter=" + sys.executable],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        seen = []

        def scan():
            deadline = time.time() + 2.5
            while time.time() < deadline:
                for pid in os.listdir("/proc"):
                    if pid.isdigit():
                        try:
                            with open("/proc/%s/cmdline" % pid, "rb") as f:
                                if secret.encode() in f.read():
                                    seen.append(pid)
                        except OSError:
                            pass
                time.sleep(0.1)
        scanner = threading.Thread(target=scan)
        scanner.start()
        scanner.join()
        out = proc.communicate(timeout=60)[0]
        assert "CHANGED" in out and secret not in out
        assert seen == []
    finally:
        srv.stop()
