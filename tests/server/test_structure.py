# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The test server's own structure: modules without an import cycle, statement groups handed the session."""

import glob
import os
import re

from tests.mo_server import common, engine
from tests.mo_server.storage import Cluster
from tests.mo_server.versions import Version

HERE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "mo_server")


def test_the_test_server_modules_import_one_another_without_a_cycle():
    graph = {}
    for path in glob.glob(os.path.join(HERE, "*.py")):
        with open(path) as handle:
            text = handle.read()
        found = set(re.findall(r"^\s*from \.(\w+) import", text, re.M))
        for names in re.findall(r"^\s*from \. import ([\w, ]+)", text, re.M):
            found.update(n.strip() for n in names.split(","))
        graph[os.path.basename(path)[:-3]] = found

    def reaches(start, node, seen):
        for nxt in graph.get(node, ()):
            if nxt == start or (nxt not in seen and reaches(start, nxt, seen | {nxt})):
                return True
        return False
    assert len(graph) > 10 and [name for name in sorted(graph) if reaches(name, name, {name})] == []


def test_statement_groups_are_handed_the_session_and_keep_no_state(tmp_path):
    assert engine.Session.__mro__ == (engine.Session, object)  # no mixins
    session = engine.Session(Cluster(Version("4.1.4"), data_dir=str(tmp_path)))
    session.login("root")
    for sql in ("CREATE DATABASE d", "CREATE TABLE d.t (id INT PRIMARY KEY)", "INSERT INTO d.t VALUES (1)",
                "CREATE SNAPSHOT s FOR ACCOUNT sys", "DELETE FROM d.t", "RESTORE DATABASE d {SNAPSHOT = 's'}",
                "CREATE DATABASE c CLONE d {SNAPSHOT = 's'}"):
        session.execute(sql)
    assert session.execute("SELECT id FROM c.t") == ([(1,)], ["id"])
    for attribute, group in engine.GROUPS.items():
        assert isinstance(getattr(session, attribute), group) and issubclass(group, common.Statements)
        assert vars(getattr(session, attribute)) == {"session": session}, attribute
    # each handler is registered once, by the class that defines it
    owners = set(owner for owner, _function in common.HANDLERS.values())
    assert owners == set(g.__name__ for g in engine.GROUPS.values()) | {"Session"}
    restore = common.handler_for("RESTORE", "DATABASE")
    assert restore[0] == "RestoreStatements" and restore[1].changes_data == "every_account"
    assert common.handler_for("EXPLAIN", "")[1].changes_data == "without_rows"  # anything else runs as a query


def test_every_system_table_is_built_by_a_method_of_its_group():
    from tests.mo_server import queries  # pylint: disable=import-outside-toplevel
    virtual = queries._VIRTUAL  # pylint: disable=protected-access
    for (db, name), (group, method) in virtual.items():
        assert callable(getattr(engine.GROUPS[group], method, None)), (db, name, group, method)
