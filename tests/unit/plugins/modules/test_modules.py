# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The modules' own code: input checks before any SQL, and the one failure path (the module shell)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import glob
import os
import re

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _snapshot_task, _sql, _user_sql
from ansible_collections.matrixone.backup.plugins.modules import mo_restore, mo_sql

MODULES = sorted(glob.glob(os.path.join(os.path.dirname(mo_sql.__file__), "mo_*.py")))


@pytest.mark.parametrize("path", MODULES, ids=os.path.basename)
def test_no_module_catches_a_collection_error_in_main(path):
    """Failures take one route, MoModule.run; main() only builds the module and hands over."""
    tree = ast.parse(open(path).read())
    main = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main")
    assert not [n for n in ast.walk(main) if isinstance(n, ast.Try)]
    assert any(isinstance(n, ast.Attribute) and n.attr == "run" for n in ast.walk(main))


@pytest.mark.parametrize("statement, read_only", [
    ("SELECT 1", True), ("  with x as (select 1) select * from x", True), ("SHOW SNAPSHOTS", True),
    ("/* note */ SELECT 1", True), ("-- note\nSHOW TABLES", True), ("EXPLAIN SELECT 1", True),
    ("INSERT INTO t VALUES (1)", False), ("DROP DATABASE d", False), ("CREATE SNAPSHOT s FOR ACCOUNT", False),
    ("UPDATE t SET a = 1", False), ("RESTORE DATABASE d {SNAPSHOT = s}", False),
])
def test_mo_sql_reports_changed_only_for_statements_that_write(statement, read_only):
    assert _sql.is_read_only(statement) is read_only


def test_mo_sql_counts_a_row_change_only_when_it_affected_rows():
    def ran(statement, rowcount):
        return {"statement": statement, "rows": [], "rowcount": rowcount}
    assert not _user_sql.changed([ran("DELETE FROM t WHERE id = 99", 0), ran("SELECT 1", 1)])
    assert not _user_sql.changed([ran("/* x */ update t set a = 1 where false", 0), ran("REPLACE INTO t VALUES (1)", 0)])
    assert _user_sql.changed([ran("DELETE FROM t WHERE id = 99", 0), ran("INSERT INTO t VALUES (1)", 1)])
    assert _user_sql.changed([ran("CREATE TABLE IF NOT EXISTS t (a int)", 0)])  # DDL: the server does not say
    assert not _user_sql.changed([])


@pytest.mark.parametrize("path", MODULES, ids=os.path.basename)
def test_every_module_declares_whether_it_is_idempotent(path):
    """ansible-core's and community.mysql's convention: the idempotent attribute, with its support."""
    import yaml  # pylint: disable=import-outside-toplevel
    from ansible_collections.matrixone.backup.plugins.doc_fragments import attributes
    docs = yaml.safe_load(ast.literal_eval(next(
        n.value for n in ast.parse(open(path).read()).body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "DOCUMENTATION")))
    fragment = [f.rsplit(".", 1)[-1] for f in docs["extends_documentation_fragment"] if ".attributes" in f]
    fragment_attrs = yaml.safe_load(getattr(attributes.ModuleDocFragment, fragment[0] if fragment[0] != "attributes"
                                            else "DOCUMENTATION"))["attributes"]
    assert "description" in fragment_attrs["idempotent"]
    support = dict(fragment_attrs["idempotent"], **docs.get("attributes", {}).get("idempotent", {})).get("support")
    expected = "partial" if path.endswith("mo_sql.py") else "full"
    assert support == expected


# Returned dicts whose keys are data, not a fixed set (documented in their description instead of `contains`)
FREE_FORM = {
    "mo_restore.py": {"preview.compared", "verified_by",  # keyed by account name
                      "preview.snapshot.pitr"},  # the record mo_pitr_info documents
    "mo_snapshot_diff.py": {"rows.samples." + kind for kind in ("inserted", "deleted", "updated", "only_after",
                                                                "only_before")},  # rows keyed by column
    "mo_sql.py": {"rows", "results.rows"},  # rows keyed by column
    "mo_backup_prune.py": {"kept_by"},  # keyed by backup name
    "mo_restore_drill.py": {"drill.verified_by", "drill.checks.rows", "drill.checks.expect"},  # by account, column
    "mo_rehearse.py": {"rehearsal.checks.rows", "rehearsal.checks.expect"} | set(  # rows keyed by column
        "rehearsal.changes.rows.samples." + kind for kind in ("inserted", "deleted", "updated", "only_after",
                                                              "only_before")),
}


def returned_entry(top, path):
    """The RETURN entry at a dotted path (preview.snapshot), {} when there is none."""
    first, _dot, rest = path.partition(".")
    entry = top.get(first) or {}
    for part in rest.split(".") if rest else []:
        entry = (entry.get("contains") or {}).get(part) or {}
    return entry


def returned_dicts_without_keys(doc, path="", top=None):
    """Dicts that neither list their keys (`contains`) nor say `the same keys as RV(x)` of a dict on the same page
    that lists them."""
    top = top or doc
    for key, entry in (doc or {}).items():
        is_dict = entry.get("type") == "dict" or (entry.get("type") == "list" and entry.get("elements") == "dict")
        description = entry.get("description")
        same = re.search(r"the same keys as RV\(([\w.]+)\)",
                         " ".join(description) if isinstance(description, list) else str(description))
        if is_dict and "contains" not in entry and not (same and "contains" in returned_entry(top, same.group(1))):
            yield path + key
        yield from returned_dicts_without_keys(entry.get("contains"), path + key + ".", top)


@pytest.mark.parametrize("path", MODULES, ids=os.path.basename)
def test_every_returned_dict_documents_its_keys(path):
    """ansible-doc shows each returned dict's keys; only dicts keyed by data are left to their description."""
    import yaml  # pylint: disable=import-outside-toplevel
    returned = yaml.safe_load(ast.literal_eval(next(
        n.value for n in ast.parse(open(path).read()).body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "RETURN")))
    assert set(returned_dicts_without_keys(returned)) == FREE_FORM.get(os.path.basename(path), set())


def sql_params(**kwargs):
    return dict(dict(sql=None, file=None, database=None, parameters=None), **kwargs)


def test_mo_sql_takes_a_list_and_refuses_what_it_cannot_run():
    statements = mo_sql.load_statements(sql_params(sql=["CREATE DATABASE d", "SELECT 1; SELECT 2"]))
    assert [(s.display, where) for s, where in statements] == [("CREATE DATABASE d", None), ("SELECT 1", None),
                                                               ("SELECT 2", None)]
    with pytest.raises(_errors.InvalidInput, match="parameters for 2 statements must be one list of values per statement"):
        mo_sql.load_statements(sql_params(sql="SELECT %s; SELECT %s", parameters=[1, 2]))
    with pytest.raises(_errors.InvalidInput, match="parameters has 1 lists for 2 statements"):
        mo_sql.load_statements(sql_params(sql="SELECT %s; SELECT %s", parameters=[[1]]))
    each = mo_sql.load_statements(sql_params(sql=["SELECT %s", "SELECT 1", "SELECT %s, %s"],
                                             parameters=[["a"], [], ["b", 2]]))
    assert [s.display for s, _where in each] == ["SELECT 'a'", "SELECT 1", "SELECT 'b', 2"]
    with pytest.raises(_errors.InvalidInput, match="sql must be a string or a list of strings"):
        mo_sql.load_statements(sql_params(sql=[{"a": 1}]))
    with pytest.raises(_errors.InvalidInput, match="sql contains no SQL statement"):
        mo_sql.load_statements(sql_params(sql="  ;  "))


def test_mo_sql_names_the_line_of_each_statement_of_a_file(tmp_path):
    path = tmp_path / "m.sql"
    path.write_text("-- migration\nCREATE TABLE t (a int);\n\n  INSERT INTO t\n  VALUES (1);\n/* c */ SELECT 1;\n")
    statements = mo_sql.load_statements(sql_params(file=str(path)))
    assert [where for _s, where in statements] == ["line %d of %s" % (n, path) for n in (2, 4, 6)]


def restore_params(**kwargs):
    keys = ("snapshot", "snapshot_prefix", "pitr", "timestamp", "timezone", "server_timezone", "account", "database", "table", "to_account",
            "to_account_admin_name", "safety_snapshot_name", "as_database", "as_table")
    return dict(dict((k, None) for k in keys), **dict(dict(safety_snapshot=False, account_logins=None, method="auto",
                                                           force=False), **kwargs))


@pytest.mark.parametrize("params, message", [
    (restore_params(snapshot="s", as_database="n", safety_snapshot=True), "nothing to protect with as_database"),
    (restore_params(pitr="p", timestamp="15m", to_account="b"), "to_account is not available with pitr"),
    (restore_params(snapshot="s", safety_snapshot_name="x"), "safety_snapshot_name needs safety_snapshot=true"),
    (restore_params(snapshot="s", method="delta", force=True), "method=delta and force=true"),
    (restore_params(snapshot="s", as_table="a b"), "as_table"),
    (restore_params(pitr="p", timestamp="2026-01-31 10:00:00"), "has no time zone"),
    (restore_params(snapshot="s", account_logins=[{"account": "a1", "user": "x'y", "password": "p"}]),
     r"account_logins\[0\]\.user=.* is not a valid user name"),
])
def test_mo_restore_refuses_bad_input_before_any_sql(params, message):
    with pytest.raises(_errors.InvalidInput, match=message):
        mo_restore.validate(params)


def snapshot_params(**kwargs):
    return dict(dict(name="nightly_1", state="present", level=None, account=None, database=None, table=None,
                     replace=False, max_age=None, retain=None, retain_prefix=None), **kwargs)


@pytest.mark.parametrize("params, message", [
    (snapshot_params(max_age="soon"), "max_age='soon' is not a duration"),
    (snapshot_params(retain=0, retain_prefix="nightly_"), "retain=0 keeps nothing"),
    (snapshot_params(retain=3, retain_prefix="weekly_"), "name=nightly_1 does not start with retain_prefix=weekly_"),
    (snapshot_params(retain=3, retain_prefix="bad prefix"), "retain_prefix"),
    (snapshot_params(state="absent", max_age="1d"), "max_age and retain apply to state=present only"),
])
def test_mo_snapshot_refuses_bad_retention_before_any_sql(params, message):
    with pytest.raises(_errors.InvalidInput, match=re.escape(message)):
        _snapshot_task.validate(params, "sys")


def test_mo_snapshot_reads_max_age_as_seconds():
    params = snapshot_params(max_age="2h", retain=7, retain_prefix="nightly_")
    assert _snapshot_task.validate(params, "sys")["level"] == "account" and params["max_age_seconds"] == 7200


def test_the_snapshot_filter_fragment_documents_the_filter_options_the_modules_take():
    import yaml  # pylint: disable=import-outside-toplevel
    from ansible_collections.matrixone.backup.plugins.doc_fragments import snapshot_filter  # pylint: disable=import-outside-toplevel
    from ansible_collections.matrixone.backup.plugins.module_utils import _snapshots  # pylint: disable=import-outside-toplevel
    documented = yaml.safe_load(snapshot_filter.ModuleDocFragment.DOCUMENTATION)["options"]
    assert set(documented) == set(_snapshots.FILTER_OPTIONS)
    for name, spec in _snapshots.FILTER_OPTIONS.items():
        assert documented[name]["type"] == spec["type"] and documented[name].get("choices") == spec.get("choices")


def code_lines(path):
    """Lines of code of a module outside DOCUMENTATION, EXAMPLES and RETURN (no blank or comment lines)."""
    with open(path) as handle:
        source = handle.read()
    lines = source.splitlines()
    docs = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") in ("DOCUMENTATION", "EXAMPLES", "RETURN")
                                                for t in node.targets):
            docs.update(range(node.lineno - 1, node.end_lineno))
    return sum(1 for i, line in enumerate(lines) if i not in docs and line.strip() and not line.strip().startswith("#"))


@pytest.mark.parametrize("path", MODULES, ids=os.path.basename)
def test_every_module_is_a_thin_shell(path):
    assert code_lines(path) <= 100, "%s has %d code lines: move its work to module_utils" % (path, code_lines(path))


def test_module_utils_import_one_another_without_a_cycle():
    utils = os.path.join(os.path.dirname(os.path.dirname(mo_sql.__file__)), "module_utils")
    graph = {}
    for path in glob.glob(os.path.join(utils, "_*.py")):
        with open(path) as handle:
            found = re.findall(r"module_utils(?:\.(_\w+))? import ([\w, ]+)", handle.read())
        graph[os.path.basename(path)[:-3]] = set(
            [sub for sub, _names in found if sub] +
            [n.strip() for sub, names in found if not sub for n in names.split(",") if n.strip().startswith("_")])

    def reaches(start, node, seen):
        for nxt in graph.get(node, ()):
            if nxt == start or (nxt not in seen and reaches(start, nxt, seen | {nxt})):
                return True
        return False
    assert [name for name in sorted(graph) if reaches(name, name, {name})] == []
