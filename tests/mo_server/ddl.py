"""MySQL table definitions: parse CREATE TABLE / ALTER TABLE, render MatrixOne-style DDL and SQLite DDL.

A table definition is a plain dict (stored as JSON in __mo_tables), so snapshots and restores
carry it along with the rows:
  {"columns": [{"name", "type", "nullable", "default", "auto_increment"}],
   "primary_key": [...], "indexes": [{"name", "columns", "unique"}], "foreign_keys": [text]}
"""

import copy

from . import errors
from .lexer import Parser

_COLUMN_END_WORDS = ("NOT", "NULL", "DEFAULT", "AUTO_INCREMENT", "PRIMARY", "UNIQUE", "KEY", "COMMENT", "ON",
                     "COLLATE", "CHARACTER", "CHARSET", "REFERENCES", "CHECK", "GENERATED", "AS")


def sqlite_name(db, table):
    return '"%s.%s"' % (db.replace('"', '""'), table.replace('"', '""'))


def _quote_ident(name):
    return "`%s`" % name.replace("`", "``")


def _sqlite_ident(name):
    return '"%s"' % name.replace('"', '""')


def _affinity(mysql_type):
    base = mysql_type.split("(")[0].split()[0].lower()
    if "int" in base or base in ("bool", "boolean", "bit", "year"):
        return "INTEGER"
    if base in ("float", "double", "real"):
        return "REAL"
    if base in ("decimal", "numeric", "dec"):
        return "NUMERIC"
    if "blob" in base or "binary" in base:
        return "BLOB"
    return "TEXT"


def _paren_tokens(p):
    """Consume a balanced (...) group; return its raw text without the outer parentheses."""
    p.expect_punct("(")
    start = p.tokens[p.i].start if p.peek() else len(p.sql)
    depth = 1
    while True:
        tok = p.peek()
        if tok is None:
            raise p.error()
        p.i += 1
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
            if depth == 0:
                return p.sql[start:tok.start]


def _ident_list(p):
    p.expect_punct("(")
    names = []
    while True:
        names.append(p.ident())
        if p.peek() is not None and p.peek().text == "(":  # prefix length: b(10)
            _paren_tokens(p)
        p.accept("ASC", "DESC")
        if p.accept_punct(")"):
            return names
        p.expect_punct(",")


def parse_column(p):
    col = {"name": p.ident(), "nullable": True, "default": None, "auto_increment": False}
    tok = p.peek()
    if tok is None or tok.kind != "word":
        raise p.error()
    p.i += 1
    type_text = tok.value.lower()
    if p.peek() is not None and p.peek().text == "(":
        type_text += "(%s)" % _paren_tokens(p).replace(" ", "")
    while p.accept("UNSIGNED", "ZEROFILL", "SIGNED"):
        type_text += " " + p.tokens[p.i - 1].value.lower()
    col["type"] = type_text
    inline = {"primary": False, "unique": False}
    while True:
        tok = p.peek()
        if tok is None or tok.text in (",", ")") or tok.is_word("FIRST", "AFTER"):
            break
        if p.accept("NOT"):
            p.expect("NULL")
            col["nullable"] = False
        elif p.accept("NULL"):
            col["nullable"] = True
        elif p.accept("DEFAULT"):
            nxt = p.peek()
            if nxt is None:
                raise p.error()
            if nxt.text == "(":
                col["default"] = "(%s)" % _paren_tokens(p)
            else:
                p.i += 1
                col["default"] = nxt.text if nxt.kind != "word" else nxt.value.upper()
                if p.peek() is not None and p.peek().text == "(":
                    col["default"] += "(%s)" % _paren_tokens(p)
        elif p.accept("AUTO_INCREMENT"):
            col["auto_increment"] = True
        elif p.accept("PRIMARY"):
            p.expect("KEY")
            inline["primary"] = True
        elif p.accept("UNIQUE"):
            p.accept("KEY")
            inline["unique"] = True
        elif p.accept("KEY"):
            inline["primary"] = True
        elif p.accept("COMMENT"):
            col["comment"] = p.string()
        elif p.accept("ON"):
            p.expect("UPDATE")
            p.ident()
            if p.peek() is not None and p.peek().text == "(":
                _paren_tokens(p)
        elif p.accept("COLLATE"):
            p.ident_or_string()
        elif p.accept("CHARACTER"):
            p.expect("SET")
            p.ident_or_string()
        elif p.accept("CHARSET"):
            p.ident_or_string()
        else:
            raise p.error()
    return col, inline


def _parse_index(p, unique):
    p.accept("KEY", "INDEX")
    name = None
    if p.peek() is not None and p.peek().text != "(":
        name = p.ident()
    if p.accept("USING"):
        p.ident()
    cols = _ident_list(p)
    if p.accept("USING"):
        p.ident()
    if p.accept("COMMENT"):
        p.string()
    return {"name": name or cols[0], "columns": cols, "unique": unique}


def _parse_foreign_key(p, start):
    depth = 0
    while True:
        tok = p.peek()
        if tok is None or (depth == 0 and tok.text in (",", ")")):
            end = tok.start if tok is not None else len(p.sql)
            return p.sql[start:end].strip()
        depth += tok.text == "("
        depth -= tok.text == ")"
        p.i += 1


def parse_table_element(p, table):
    """One element inside CREATE TABLE (...): a column, key, index or foreign key."""
    tok = p.peek()
    if tok is None:
        raise p.error()
    if tok.is_word("PRIMARY"):
        p.i += 1
        p.expect("KEY")
        table["primary_key"] = _ident_list(p)
        for c in table["columns"]:
            if c["name"] in table["primary_key"]:
                c["nullable"] = False
    elif tok.is_word("UNIQUE"):
        p.i += 1
        table["indexes"].append(_parse_index(p, True))
    elif tok.is_word("KEY", "INDEX"):
        table["indexes"].append(_parse_index(p, False))
    elif tok.is_word("FULLTEXT", "SPATIAL"):
        p.i += 1
        table["indexes"].append(_parse_index(p, False))
    elif tok.is_word("CONSTRAINT", "FOREIGN"):
        start = tok.start
        if p.accept("CONSTRAINT") and not p.peek().is_word("FOREIGN", "PRIMARY", "UNIQUE"):
            p.ident()
        if p.peek() is not None and p.peek().is_word("PRIMARY", "UNIQUE"):
            return parse_table_element(p, table)
        table["foreign_keys"].append(_parse_foreign_key(p, start))
    else:
        col, inline = parse_column(p)
        if any(c["name"].lower() == col["name"].lower() for c in table["columns"]):
            raise errors.MoError(1060, "Duplicate column name '%s'" % col["name"])
        table["columns"].append(col)
        if inline["primary"]:
            table["primary_key"] = [col["name"]]
            col["nullable"] = False
        if inline["unique"]:
            table["indexes"].append({"name": col["name"], "columns": [col["name"]], "unique": True})


def new_table():
    return {"columns": [], "primary_key": [], "indexes": [], "foreign_keys": []}


def parse_create_body(p):
    table = new_table()
    p.expect_punct("(")
    while True:
        parse_table_element(p, table)
        if p.accept_punct(")"):
            break
        p.expect_punct(",")
    # table options: ENGINE=x DEFAULT CHARSET=y COMMENT='z' ...
    while not p.at_end():
        tok = p.peek()
        p.i += 1
        if tok.kind not in ("word", "punct", "str", "num", "bq"):
            raise p.error()
    if not table["columns"]:
        raise p.error()
    return table


def render_mysql(name, table):
    """MatrixOne-style SHOW CREATE TABLE text."""
    lines = []
    for c in table["columns"]:
        line = "  %s %s" % (_quote_ident(c["name"]), c["type"])
        if not c["nullable"]:
            line += " NOT NULL"
        if c["auto_increment"]:
            line += " AUTO_INCREMENT"
        if c["default"] is not None:
            line += " DEFAULT %s" % c["default"]
        elif c["nullable"]:
            line += " DEFAULT NULL"
        if c.get("comment"):
            line += " COMMENT '%s'" % c["comment"].replace("'", "''")
        lines.append(line)
    if table["primary_key"]:
        lines.append("  PRIMARY KEY (%s)" % ",".join(_quote_ident(c) for c in table["primary_key"]))
    for ix in table["indexes"]:
        columns = ",".join(_quote_ident(c) for c in ix["columns"])
        lines.append("  %sKEY %s (%s)" % ("UNIQUE " if ix["unique"] else "", _quote_ident(ix["name"]), columns))
    for fk in table["foreign_keys"]:
        lines.append("  " + fk)
    return "CREATE TABLE %s (\n%s\n)" % (_quote_ident(name), ",\n".join(lines))


def sqlite_statements(db, name, table, target=None):
    """CREATE TABLE + CREATE INDEX statements for SQLite (target overrides the table name)."""
    tname = target or sqlite_name(db, name)
    pk = [c.lower() for c in table["primary_key"]]
    defs = []
    inline_pk = False
    for c in table["columns"]:
        d = "%s %s" % (_sqlite_ident(c["name"]), _affinity(c["type"]))
        if len(pk) == 1 and c["name"].lower() == pk[0] and c["auto_increment"] and _affinity(c["type"]) == "INTEGER":
            d += " PRIMARY KEY AUTOINCREMENT"
            inline_pk = True
        if not c["nullable"]:
            d += " NOT NULL"
        if c["default"] is not None and c["default"].upper() != "NULL":
            d += " DEFAULT %s" % (c["default"] if not c["default"].upper().startswith("CURRENT_TIMESTAMP")
                                  else "CURRENT_TIMESTAMP")
        defs.append(d)
    if pk and not inline_pk:
        defs.append("PRIMARY KEY (%s)" % ", ".join(_sqlite_ident(c) for c in table["primary_key"]))
    stmts = ["CREATE TABLE %s (%s)" % (tname, ", ".join(defs))]
    base = (db + "." + name) if target is None else target.strip('"')
    for ix in table["indexes"]:
        stmts.append('CREATE %sINDEX "%s.%s" ON %s (%s)' % (
            "UNIQUE " if ix["unique"] else "", base.replace('"', '""'), ix["name"].replace('"', '""'), tname,
            ", ".join(_sqlite_ident(c) for c in ix["columns"])))
    return stmts


def _find_column(table, name):
    for i, c in enumerate(table["columns"]):
        if c["name"].lower() == name.lower():
            return i
    return None


def _place(p, table, col, old_index=None):
    """Handle FIRST / AFTER x for ADD, MODIFY and CHANGE."""
    cols = table["columns"]
    if old_index is not None:
        cols.pop(old_index)
    if p.accept("FIRST"):
        cols.insert(0, col)
    elif p.accept("AFTER"):
        after = p.ident()
        j = _find_column(table, after)
        if j is None:
            raise errors.MoError(1054, "Unknown column '%s' in 'table definition'" % after)
        cols.insert(j + 1, col)
    elif old_index is not None:
        cols.insert(old_index, col)
    else:
        cols.append(col)


def apply_alter(p, name, table):
    """Apply ALTER TABLE actions; return (new_table, renamed_to, column_map new->old)."""
    table = copy.deepcopy(table)
    mapping = {c["name"]: c["name"] for c in table["columns"]}
    rename_to = None
    while True:
        if p.accept("ADD"):
            tok = p.peek()
            if tok is not None and tok.is_word("INDEX", "KEY", "UNIQUE", "PRIMARY", "CONSTRAINT", "FOREIGN",
                                               "FULLTEXT"):
                parse_table_element(p, table)
            else:
                p.accept("COLUMN")
                col, inline = parse_column(p)
                if _find_column(table, col["name"]) is not None:
                    raise errors.MoError(1060, "Duplicate column name '%s'" % col["name"])
                _place(p, table, col)
                mapping[col["name"]] = None
                if inline["primary"]:
                    table["primary_key"] = [col["name"]]
        elif p.accept("DROP"):
            if p.accept("INDEX", "KEY"):
                ix = p.ident()
                before = len(table["indexes"])
                table["indexes"] = [i for i in table["indexes"] if i["name"].lower() != ix.lower()]
                if len(table["indexes"]) == before:
                    raise errors.MoError(1091, "Can't DROP '%s'; check that column/key exists" % ix)
            elif p.accept("PRIMARY"):
                p.expect("KEY")
                table["primary_key"] = []
            else:
                p.accept("COLUMN")
                cname = p.ident()
                j = _find_column(table, cname)
                if j is None:
                    raise errors.MoError(1091, "Can't DROP '%s'; check that column/key exists" % cname)
                removed = table["columns"].pop(j)["name"]
                mapping.pop(removed, None)
                table["primary_key"] = [c for c in table["primary_key"] if c.lower() != cname.lower()]
                for ix in table["indexes"]:
                    ix["columns"] = [c for c in ix["columns"] if c.lower() != cname.lower()]
                table["indexes"] = [ix for ix in table["indexes"] if ix["columns"]]
            if not table["columns"]:
                raise errors.MoError(1090, "You can't delete all columns with ALTER TABLE; use DROP TABLE instead")
        elif p.accept("MODIFY", "CHANGE"):
            change = p.tokens[p.i - 1].value.upper() == "CHANGE"
            p.accept("COLUMN")
            old = p.ident() if change else None
            col = parse_column(p)[0]
            old = old or col["name"]
            j = _find_column(table, old)
            if j is None:
                raise errors.MoError(1054, "Unknown column '%s' in '%s'" % (old, name))
            old_name = table["columns"][j]["name"]
            _place(p, table, col, j)
            src = mapping.pop(old_name, old_name)
            mapping[col["name"]] = src
            if old_name != col["name"]:
                table["primary_key"] = [col["name"] if c == old_name else c for c in table["primary_key"]]
                for ix in table["indexes"]:
                    ix["columns"] = [col["name"] if c == old_name else c for c in ix["columns"]]
        elif p.accept("RENAME"):
            if p.accept("COLUMN"):
                old = p.ident()
                p.expect("TO")
                new = p.ident()
                j = _find_column(table, old)
                if j is None:
                    raise errors.MoError(1054, "Unknown column '%s' in '%s'" % (old, name))
                table["columns"][j]["name"] = new
                mapping[new] = mapping.pop(old)
            else:
                p.accept("TO", "AS")
                rename_to = p.ident()
        elif p.accept("ALTER"):
            p.accept("COLUMN")
            cname = p.ident()
            j = _find_column(table, cname)
            if j is None:
                raise errors.MoError(1054, "Unknown column '%s' in '%s'" % (cname, name))
            if p.accept("SET"):
                p.expect("DEFAULT")
                tok = p.peek()
                p.i += 1
                table["columns"][j]["default"] = tok.text
            else:
                p.expect("DROP")
                p.expect("DEFAULT")
                table["columns"][j]["default"] = None
        else:
            raise p.error()
        if not p.accept_punct(","):
            break
    p.end()
    return table, rename_to, mapping


def parse_alter(sql):
    """`ALTER TABLE [db.]t action, ...` -> (db, name, parser positioned at the first action)."""
    p = Parser.after(sql, "ALTER", "TABLE")
    first = p.ident()
    if p.accept_punct("."):
        return first, p.ident(), p
    return None, first, p
