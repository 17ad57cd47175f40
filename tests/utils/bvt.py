# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Replay MatrixOne's own BVT cases (../shared/mo-bvt) against a server and count the answers that match.

Usage: python -m tests.utils.bvt --port 6001 [--host H --user root --password 111] CASE_DIR [CASE ...]

A case is `name.sql` (statements, `-- @session:id=N&user=acc:user&password=pw` ... `-- @session` blocks
run on another connection, `-- @ignore:i,j` before a statement skips those result columns) and
`name.result` (the statements again, each followed by the real server's answer: an error text, or a
result set in one of two layouts). A statement matches when our answer, rendered the way the result file
renders it, equals the recorded one. Statements that touch snapshots, restores or PITRs are also counted
apart. The cases are read from ../shared and never copied into the project.
"""

import argparse
import datetime
import os
import re
import sys

import pymysql

NEW_HEADER = "\u27a4 "      # '➤ ' starts a header in the newer result layout
NEW_COLUMN = "  \u00a6  "   # '  ¦  ' separates cells there
NEW_ROW_END = "  \U0001d100"  # '  𝄀' ends every row but the last
OLD_COLUMN = "    "
FEATURE = re.compile(r"\b(snapshots?|restore|pitr)\b", re.I)


class Statement:
    def __init__(self, text, session, ignore):
        self.text = text
        self.session = session  # None, or (id, login, password)
        self.ignore = ignore    # column indexes the comparison skips
        self.expected = None    # lines of the recorded answer; None when the result file lacks the statement

    @property
    def feature(self):
        return bool(FEATURE.search(self.text))


def parse_sql(text):
    """Statements of a .sql file, in order, with their session and ignored columns."""
    statements, session, ignore, buf, skipping = [], None, (), [], False
    for line in text.splitlines():
        stripped = line.strip()
        if not buf and stripped.startswith("--"):
            m = re.match(r"--\s*@session:id=(\d+)&user=([^&]+)&password=(\S+)", stripped)
            if m:
                session = (int(m.group(1)), m.group(2), m.group(3))
            elif re.match(r"--\s*@session\}?\s*$", stripped):
                session = None
            m = re.match(r"--\s*@ignore:([\d,]+)", stripped)
            if m:
                ignore = tuple(int(i) for i in m.group(1).split(","))
            if re.match(r"--\s*@bvt:issue#", stripped):
                skipping = True   # a case MatrixOne's own runner disables
            elif re.match(r"--\s*@bvt:issue\s*$", stripped):
                skipping = False
            continue
        if not stripped and not buf:
            continue
        buf.append(line)
        if stripped.endswith(";"):
            if not skipping:
                statements.append(Statement("\n".join(buf), session, ignore))
            buf, ignore = [], ()
    return statements


def attach_results(statements, result_text):
    """Give each statement the answer lines that follow it in the .result file."""
    lines = result_text.splitlines()
    stripped = [ln.strip() for ln in lines]  # the result file drops the statements' indentation
    pos = 0
    found = []
    for stmt in statements:
        slines = [ln.strip() for ln in stmt.text.splitlines()]
        for start in range(pos, len(lines) - len(slines) + 1):
            if stripped[start:start + len(slines)] == slines:
                found.append((stmt, start, start + len(slines)))
                pos = start + len(slines)
                break
    for i, (stmt, _start, end) in enumerate(found):
        stop = found[i + 1][1] if i + 1 < len(found) else len(lines)
        stmt.expected = lines[end:stop]


def cell(value, new_layout):
    """A value as MatrixOne's test runner prints it (the older layout escapes line breaks)."""
    if value is None:
        return "null"
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    elif isinstance(value, datetime.datetime):
        value = value.strftime("%Y-%m-%d %H:%M:%S.%f").rstrip("0").rstrip(".")
    else:
        value = str(value)
    return value if new_layout else value.replace("\n", "\\n")


def render(columns, rows, new_layout):
    if new_layout:
        return [NEW_HEADER + NEW_COLUMN.join(c + "[]" for c in columns) + NEW_ROW_END] + \
            [NEW_COLUMN.join(cell(v, True) for v in row) + NEW_ROW_END for row in rows]
    return [OLD_COLUMN.join(columns)] + [OLD_COLUMN.join(cell(v, False) for v in row) for row in rows]


def _cells(lines, ignore):
    """Answer lines -> comparable rows: the separator of the layout, ignored columns and header types dropped."""
    text = "\n".join(lines)
    new = text.startswith(NEW_HEADER)
    if new:
        text = re.sub(re.escape(NEW_ROW_END) + "$", "", text[len(NEW_HEADER):], flags=re.M)
        rows = [r.split(NEW_COLUMN) for r in text.split("\n")]
        rows[0] = [re.sub(r"\[[^\]]*\]$", "", c) for c in rows[0]]
    else:
        rows = [r.split(OLD_COLUMN) for r in text.split("\n")]
    out = []
    for i, row in enumerate(rows):
        kept = [c.strip() for j, c in enumerate(row) if i == 0 or j not in ignore]
        out.append(kept if i else [c.lower() for c in kept])
    return out


def same(expected, got, ignore):
    if not expected or not got:
        return [ln for ln in expected if ln.strip()] == [ln for ln in got if ln.strip()]
    if len(expected) == 1 and len(got) == 1:  # an error text (or a one-line answer)
        return expected[0].strip() == got[0].strip()
    return _cells(expected, ignore) == _cells(got, ignore)


class Replayer:
    def __init__(self, host, port, user, password):
        self.addr = dict(host=host, port=port)
        self.default = (user, password)
        self.conns = {}

    def conn(self, session):
        key = session[0] if session else 0
        if key not in self.conns:
            user, password = (session[1], session[2]) if session else self.default
            self.conns[key] = pymysql.connect(user=user, password=password, autocommit=True, **self.addr)
        return self.conns[key]

    def answer(self, stmt, new_layout):
        try:
            conn = self.conn(stmt.session)
            with conn.cursor() as cur:
                cur.execute(stmt.text.rstrip().rstrip(";"))
                if cur.description is None:
                    return []
                return render([d[0] for d in cur.description], cur.fetchall(), new_layout)
        except pymysql.err.MySQLError as exc:
            if isinstance(exc, (pymysql.err.OperationalError, pymysql.err.InterfaceError)) and \
                    len(exc.args) == 2 and exc.args[0] in (2006, 2013, 0):
                self.conns.pop(stmt.session[0] if stmt.session else 0, None)
            return [str(exc.args[1]) if len(exc.args) > 1 else str(exc)]

    def close(self):
        for conn in self.conns.values():
            try:
                conn.close()
            except pymysql.err.Error:
                pass
        self.conns = {}


def replay_case(replayer, sql_path, result_path):
    """[(statement, matched or None when the result file lacks it, our answer)] for one case."""
    with open(sql_path, encoding="utf-8") as f:
        statements = parse_sql(f.read())
    with open(result_path, encoding="utf-8") as f:
        attach_results(statements, f.read())
    out = []
    try:
        for stmt in statements:
            new_layout = bool(stmt.expected) and stmt.expected[0].startswith(NEW_HEADER)
            got = replayer.answer(stmt, new_layout)
            out.append((stmt, None if stmt.expected is None else same(stmt.expected, got, stmt.ignore), got))
    finally:
        replayer.close()
    return out


def cases(case_dir):
    return sorted(f[:-4] for f in os.listdir(case_dir) if f.endswith(".sql")
                  and os.path.exists(os.path.join(case_dir, f[:-4] + ".result")))


def replay_dir(case_dir, host, port, user="root", password="111", names=None, report=None):
    """Replay every case of a folder; return dict(all=(matched, compared), feature=(matched, compared))."""
    totals = {"all": [0, 0], "feature": [0, 0]}
    for name in names or cases(case_dir):
        replayer = Replayer(host, port, user, password)
        results = replay_case(replayer, os.path.join(case_dir, name + ".sql"), os.path.join(case_dir, name + ".result"))
        for stmt, ok, got in results:
            if ok is None:
                continue
            for key in ("all", "feature") if stmt.feature else ("all",):
                totals[key][1] += 1
                totals[key][0] += int(ok)
            if report is not None and not ok:
                report.write("--- %s: %s\n    expected: %r\n    got:      %r\n"
                             % (name, stmt.text.replace("\n", " ")[:200], stmt.expected[:4], got[:4]))
    return dict((k, tuple(v)) for k, v in totals.items())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    ap.add_argument("case_dir")
    ap.add_argument("cases", nargs="*")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=6001)
    ap.add_argument("--user", default="root")
    ap.add_argument("--password", default="111")
    ap.add_argument("--mismatches", help="write each statement that did not match to this file")
    args = ap.parse_args(argv)
    report = open(args.mismatches, "w", encoding="utf-8") if args.mismatches else None
    totals = replay_dir(args.case_dir, args.host, args.port, args.user, args.password, args.cases, report)
    print("all statements: %d of %d matched; snapshot/restore/PITR statements: %d of %d matched"
          % (totals["all"] + totals["feature"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
