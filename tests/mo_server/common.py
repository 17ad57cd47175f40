"""What the statement handlers share: the statement registry, MatrixOne's messages and small helpers."""

import datetime
import re


UNCOMMITTED = "unclassified statement appears in uncommitted transaction"
NO_PRIVILEGE = "do not have privilege to execute the statement"
RESERVED_SNAPSHOT_CHARS = (" ", "\t", "`", '"', "'")

# (first word, second word or "") -> handler method name
HANDLERS = {}


def statement(*starts, own_txn=False, changes=False):
    """Register a Session method for the statements that start with these words ("CREATE SNAPSHOT", "RESTORE").

    own_txn: MatrixOne runs it in its own background transaction, so it does not open the session's implicit one
    (and is refused inside an explicit one). changes: it changes data, so a PITR-covered account gets a history
    point after it.
    """
    def register(method):
        for start in starts:
            words = start.split()
            HANDLERS[(words[0], words[1] if len(words) > 1 else "")] = method.__name__
        method.own_txn = own_txn
        method.changes_data = changes
        return method
    return register


def handler_name(first, second):
    """The registered handler of a statement starting with these words; run_dml (sqlglot) for anything else."""
    return HANDLERS.get((first, second)) or HANDLERS.get((first, "")) or "run_dml"


def like(pattern, value):
    regex = re.escape(pattern).replace("%", ".*").replace("_", ".")
    return re.fullmatch(regex, value, re.I | re.S) is not None


def result(columns, rows):
    return [tuple(r) for r in rows], list(columns)


def error_at(p, tok):
    p.i = p.tokens.index(tok)
    return p.error()


def ns_datetime(ns):
    return datetime.datetime.utcfromtimestamp(ns / 1e9).strftime("%Y-%m-%d %H:%M:%S")
