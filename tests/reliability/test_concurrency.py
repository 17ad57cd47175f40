# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parallel runs: one snapshot from 20 racers, prune never drops what it did not select, guards stay in scope."""

from concurrent.futures import ThreadPoolExecutor


def test_twenty_parallel_creates_of_one_name_give_one_snapshot_and_no_failure(server, module):
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda _i: module("mo_snapshot", dict(server.login(), name="race_one")), range(20)))
    assert [r for r in results if r["failed"]] == []
    assert sum(1 for r in results if r["changed"]) == 1
    assert [r[0] for r in server.sql("SHOW SNAPSHOTS WHERE snapshot_name = 'race_one'")] == ["race_one"]


def test_parallel_prune_and_create_never_drop_an_unselected_snapshot(server, module):
    for i in range(6):
        server.sql("CREATE SNAPSHOT pc_old_%d FOR ACCOUNT sys" % i)

    def job(i):
        if i == 0:
            return module("mo_snapshot_prune", dict(server.login(), prefix="pc_", keep_newest=2))
        return module("mo_snapshot", dict(server.login(), name="pc_new_%d" % i))
    with ThreadPoolExecutor(max_workers=5) as pool:
        results = list(pool.map(job, range(5)))
    assert [r for r in results if r["failed"]] == []
    dropped = {s["name"] for s in results[0]["dropped"]}
    existing = {r[0] for r in server.sql("SHOW SNAPSHOTS")}
    everything = {"pc_old_%d" % i for i in range(6)} | {"pc_new_%d" % i for i in range(1, 5)}
    assert everything - existing == dropped  # whatever is gone, the prune selected and reported
    assert {"pc_old_0", "pc_old_1", "pc_old_2", "pc_old_3"} <= dropped


GUARD = """
- hosts: localhost
  gather_facts: false
  roles:
    - role: matrixone.backup.snapshot_guard
      vars:
        snapshot_guard_connection: {login_port: %d, login_password: "111"}
        snapshot_guard_database: %s
        snapshot_guard_prefix: cg
        snapshot_guard_change_sql: %s
"""


def test_two_guarded_migrations_at_once_each_restore_only_their_scope(server, playbook):
    server.sql("CREATE DATABASE cg_a", "CREATE TABLE cg_a.t (a int)", "INSERT INTO cg_a.t VALUES (1), (2)",
               "CREATE DATABASE cg_b", "CREATE TABLE cg_b.t (a int)", "INSERT INTO cg_b.t VALUES (1), (2)")
    failing = GUARD % (server.port, "cg_a", '["DELETE FROM cg_a.t", "INSERT INTO cg_a.nope VALUES (1)"]')
    succeeding = GUARD % (server.port, "cg_b", '["INSERT INTO cg_b.t VALUES (3)", "DELETE FROM cg_b.t WHERE a = 1"]')
    with ThreadPoolExecutor(max_workers=2) as pool:
        a, b = list(pool.map(playbook, [failing, succeeding]))
    assert a.returncode != 0 and "Restored snapshot cg_cg_a_" in " ".join(a.stdout.split())
    assert b.returncode == 0, b.stdout[-2000:]
    assert server.sql("SELECT a FROM cg_a.t ORDER BY a") == ((1,), (2,))
    assert server.sql("SELECT a FROM cg_b.t ORDER BY a") == ((2,), (3,))


NOTHING_LOST = """
- hosts: localhost
  gather_facts: false
  roles:
    - role: matrixone.backup.snapshot_guard
      vars:
        snapshot_guard_connection: {login_port: %d, login_password: "111"}
        snapshot_guard_database: nl
        snapshot_guard_prefix: nl
        snapshot_guard_change_sql:
          - INSERT INTO nl.orders VALUES (3, 'written by the application during the window')
          - UPDATE nl.orders SET note = 'migrated'
          - ALTER TABLE nl.orders ADD COLUMN broken
"""


def test_writes_during_the_window_are_rolled_back_too(server, playbook):
    """Documented behaviour: the restore returns the scope to the snapshot, including others' writes."""
    server.sql("CREATE DATABASE nl", "CREATE TABLE nl.orders (id int primary key, note varchar(60))",
               "INSERT INTO nl.orders VALUES (1, 'before'), (2, 'before')")
    run = playbook(NOTHING_LOST % server.port)
    assert run.returncode != 0 and "and verified it" in " ".join(run.stdout.split())
    assert server.sql("SELECT id, note FROM nl.orders ORDER BY id") == ((1, "before"), (2, "before"))
