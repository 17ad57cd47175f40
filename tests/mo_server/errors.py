"""MatrixOne error codes and texts (see shared reference notes, section 4)."""

from mysql_mimic.errors import MysqlError

INTERNAL = 20101  # moerr.ErrInternal, sent as-is to MySQL clients
PARSE = 1064
ACCESS_DENIED = 1045
BAD_DB = 1049
NO_DB = 1046
DUP_ENTRY = 1062
TABLE_EXISTS = 1050
DB_EXISTS = 1007
LOCK_WAIT = 1205
NO_SUCH_TABLE = 1146
UNKNOWN = 1105  # ER_UNKNOWN_ERROR: a plain Go error (not a moerr), e.g. from BACKUP

PARSE_PREFIX = (
    "SQL parser error: You have an error in your SQL syntax; check the manual that "
    "corresponds to your MatrixOne server version for the right syntax to use. "
)


class MoError(MysqlError):
    """An error the client receives as an ERR packet with MatrixOne's code and text."""

    def __init__(self, code, text):
        super().__init__(text, code=code)
        self.mo_code = code
        self.text = text


def internal(text):
    return MoError(INTERNAL, "internal error: " + text)


def syntax(sql, column, near):
    return MoError(PARSE, PARSE_PREFIX + "syntax error at line 1 column %d near \"%s\";" % (column, near))


def parse(text):
    return MoError(PARSE, "SQL parser error: " + text)


def no_such_table(db, name):
    """A missing table named by a write or DDL (INSERT, UPDATE, DELETE, ALTER, DROP, TRUNCATE, indexes): real v4.1.4
    answers 1146; a read answers parse('table "name" does not exist') instead."""
    return MoError(NO_SUCH_TABLE, "no such table %s.%s" % (db, name))
