# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Arbitrary names, timestamps and SQL text: refused before any SQL, or round-trips exactly as one statement."""

import datetime
import os
import sys

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import Server

COLLECTION_ROOT = os.environ.get("MO_COLLECTIONS_PATH")
if COLLECTION_ROOT:
    sys.path.insert(0, COLLECTION_ROOT)
else:  # a run by hand: import through a link to this checkout (see conftest.collections_path)
    import tempfile
    _root = tempfile.mkdtemp(prefix="mo-hostile-")
    os.makedirs(os.path.join(_root, "ansible_collections", "matrixone"))
    os.symlink(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
               os.path.join(_root, "ansible_collections", "matrixone", "backup"))
    sys.path.insert(0, _root)

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _sql, _time  # noqa: E402 pylint: disable=wrong-import-position

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
NAMES = st.one_of(st.text(max_size=70), st.from_regex(r"[a-z0-9_\-]{1,64}", fullmatch=True),
                  st.text(alphabet="aZ09_-'`\"; .\\\n\t#%{}()é", max_size=20))


@pytest.fixture(scope="module")
def srv():
    server = Server(password="111")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def cursor(srv):
    """One connection, so the statement counter moves only by what the test sends."""
    import pymysql  # pylint: disable=import-outside-toplevel
    if srv.proc is None:
        pytest.skip("counts statements with the test server's exact Questions counter")
    conn = pymysql.connect(host=srv.host, port=srv.port, user="root", password="111", autocommit=True)
    yield conn.cursor()
    conn.close()


def questions(cur):
    cur.execute("SHOW GLOBAL STATUS LIKE 'Questions'")
    return int(cur.fetchone()[1])


@SETTINGS
@given(name=NAMES)
def test_snapshot_names_are_refused_or_round_trip_as_one_statement(cursor, name):
    try:
        _sql.validate_name(name, "snapshot", "name")
    except _errors.InvalidInput as exc:
        assert str(exc).startswith("name")
        return
    stmt = _sql.create_snapshot(name, "account", "sys")
    drop = _sql.drop_snapshot(name, if_exists=True)
    cursor.execute(drop.sql)
    before = questions(cursor)
    cursor.execute(stmt.sql)
    after = questions(cursor)
    assert after - before == 2  # exactly one CREATE, then the SHOW that counted it: nothing smuggled in
    cursor.execute("SHOW SNAPSHOTS WHERE snapshot_name = %s", (name,))
    assert [r[0] for r in cursor.fetchall()] == [name]
    cursor.execute(drop.sql)


@SETTINGS
@given(database=NAMES, table=NAMES)
def test_database_and_table_names_are_refused_or_quoted_safely(database, table):
    try:
        _sql.validate_name(database, "database", "database")
        _sql.validate_name(table, "table", "table")
    except _errors.InvalidInput as exc:
        assert str(exc).startswith(("database", "table"))
        return
    text = _sql.create_snapshot("s", "table", None, database, table).sql
    assert text == "CREATE SNAPSHOT `s` FOR TABLE `%s` `%s`" % (database, table)
    assert text.count("`") == 6 and ";" not in text


NOW = datetime.datetime(2026, 11, 28, tzinfo=_time.UTC)


@SETTINGS
@given(value=st.one_of(st.text(max_size=40), st.from_regex(r"\d{1,4}[smhdw]", fullmatch=True),
                       st.datetimes(timezones=st.just(datetime.timezone.utc)).map(lambda d: d.isoformat())))
def test_points_in_time_are_refused_or_parsed_to_utc(value):
    try:
        parsed = _time.parse_point_in_time(value, "newer_than", NOW)
    except (_errors.InvalidInput, OverflowError) as exc:
        assert isinstance(exc, OverflowError) or "newer_than" in str(exc)
        return
    assert parsed.tzinfo is not None and parsed.utcoffset() == datetime.timedelta(0)


LITERAL = st.text(alphabet="ab;'\"`\\-/*#\n%", max_size=12)


@SETTINGS
@given(values=st.lists(LITERAL, min_size=1, max_size=5))
def test_mo_sql_splits_tricky_quoting_into_the_intended_statements(srv, values):
    statements = ["SELECT '%s' AS v" % v.replace("\\", "\\\\").replace("'", "''") for v in values]
    text = ";\n-- a comment; with a semicolon\n".join(statements) + ";"
    parts = _sql.split_statements(text)
    assert len(parts) == len(values)
    for part, value in zip(parts, values):
        assert srv.sql(part) == ((value,),)
