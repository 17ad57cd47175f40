"""What the statement handlers share: the statement registry, MatrixOne's messages and small helpers."""

import datetime
import re
import threading
import time


UNCOMMITTED = "unclassified statement appears in uncommitted transaction"
NO_PRIVILEGE = "do not have privilege to execute the statement"
RESERVED_SNAPSHOT_CHARS = (" ", "\t", "`", '"', "'")

# (first word, second word or "") -> (class name, handler function)
HANDLERS = {}
# what a handler changes, for the PITR history (storage.Cluster.record_history): nothing, the session's account, the
# session's account when the statement returned no rows (DML, not a query), or every account (a restore)
CHANGES = (False, True, "without_rows", "every_account")


def statement(*starts, own_txn=False, changes=False):
    """Register a handler method of engine.Session or of a Statements group for the statements that start with these
    words ("CREATE SNAPSHOT", "RESTORE").

    own_txn: MatrixOne runs it in its own background transaction, so it does not open the session's implicit one
    (and is refused inside an explicit one). changes: one of CHANGES: whose data it changes, so that a PITR-covered
    account gets a history point after it.
    """
    assert changes in CHANGES, changes

    def register(method):
        owner = method.__qualname__.split(".")[0]
        for start in starts:
            words = start.split()
            HANDLERS[(words[0], words[1] if len(words) > 1 else "")] = (owner, method)
        method.own_txn = own_txn
        method.changes_data = changes
        return method
    return register


def handler_for(first, second):
    """(class name, function) of the handler of a statement starting with these words; a SELECT's (sqlglot) for
    anything else."""
    return HANDLERS.get((first, second)) or HANDLERS.get((first, "")) or HANDLERS[("SELECT", "")]


class Statements:
    """A group of statement handlers. It is handed the session it runs in (engine.Session: the login, the current
    database, the transaction, the other groups) and keeps no state of its own."""

    def __init__(self, session):
        self.session = session

    @property
    def cluster(self):
        return self.session.cluster

    @property
    def version(self):
        return self.session.cluster.version


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


_last_ns = 0
_ns_lock = threading.Lock()


def now_ns():
    """Strictly increasing wall-clock nanoseconds (two snapshots never share a timestamp)."""
    global _last_ns  # pylint: disable=global-statement
    with _ns_lock:
        t = max(time.time_ns(), _last_ns + 1000)
        _last_ns = t
        return t


def ns_to_mo_timestamp(ns):
    """MatrixOne's CAST_NANO_TO_TIMESTAMP: UTC, 0-9 fraction digits, trailing zeros dropped."""
    secs, frac = divmod(ns, 1_000_000_000)
    text = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(secs))
    digits = ("%09d" % frac).rstrip("0")
    return text + ("." + digits if digits else "")


def zone(name):
    from zoneinfo import ZoneInfo  # pylint: disable=import-outside-toplevel
    return ZoneInfo(name)


def local_text(timezone, ns):
    """A nanosecond time as the server's local time text (SHOW PITR, PITR messages)."""
    return datetime.datetime.fromtimestamp(ns / 1e9, zone(timezone)).strftime("%Y-%m-%d %H:%M:%S")
