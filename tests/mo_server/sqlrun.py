"""Ordinary MySQL DML/queries: MySQL text -> SQLite text, with MatrixOne snapshot reads.

`db.t` becomes the SQLite table "db.t" in schema main (live data), snapN (an attached snapshot
copy) or temp (a virtual system table materialised for this statement). Snapshot-read suffixes
(`t {SNAPSHOT = 'sp'}`, `{MO_TS = n}`) are cut out of the raw text before sqlglot sees it,
because sqlglot silently mis-parses them.
"""

import re

import sqlglot
from sqlglot import exp

from . import errors
from .lexer import tokenize

SNAP_CATALOG = "__mosnap"
CURRENT_DB = "__curdb__"

_FAST_INSERT = re.compile(
    r"^\s*INSERT\s+(?:IGNORE\s+)?INTO\s+((?:`[^`]+`|\w+)(?:\s*\.\s*(?:`[^`]+`|\w+))?)\s*(\([^)]*\))?\s*VALUES\s*(\(.*)$",
    re.I | re.S)


def extract_snapshot_reads(sql):
    """Replace `tableref {SNAPSHOT = x}` with a three-part name; return (sql, [(kind, value)])."""
    if "{" not in sql:
        return sql, []
    tokens = tokenize(sql)
    specs, out, last = [], [], 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.text == "{" and i + 1 < len(tokens) and tokens[i + 1].kind == "word":
            j = i + 1
            while j < len(tokens) and tokens[j].text != "}":
                j += 1
            if j == len(tokens):
                raise errors.syntax(sql, tok.end, sql[tok.start:])
            inner = tokens[i + 1:j]
            kind = inner[0].value.upper()
            if kind == "AS":
                kind, value = "TIMESTAMP", inner[-1].value
            else:
                if len(inner) != 3 or inner[1].text != "=":
                    raise errors.syntax(sql, inner[-1].end, sql[inner[0].start - 1:])
                value = inner[2].value
            if kind not in ("SNAPSHOT", "MO_TS", "TIMESTAMP"):
                raise errors.syntax(sql, inner[0].end, sql[tok.start:])
            # table reference just before the brace: ident [. ident]
            k = i - 1
            if k < 0 or tokens[k].kind not in ("word", "bq"):
                raise errors.syntax(sql, tok.end, sql[tok.start:])
            name_tok, db_tok = tokens[k], None
            if k >= 2 and tokens[k - 1].text == "." and tokens[k - 2].kind in ("word", "bq"):
                db_tok = tokens[k - 2]
            start = (db_tok or name_tok).start
            db = db_tok.value if db_tok is not None else CURRENT_DB
            out.append(sql[last:start])
            out.append("`%s%d`.`%s`.`%s`" % (
                SNAP_CATALOG, len(specs), db.replace("`", "``"), name_tok.value.replace("`", "``")))
            specs.append((kind, value))
            last = tokens[j].end
            i = j + 1
            continue
        i += 1
    out.append(sql[last:])
    return "".join(out), specs


def fast_insert(sql):
    """Bulk INSERT ... VALUES that SQLite can run as-is once the table is renamed: (tableref, cols, values)."""
    if "\\" in sql or "{" in sql or re.search(r"\bduplicate\b|\bselect\b", sql, re.I):
        return None
    m = _FAST_INSERT.match(sql)
    if not m:
        return None
    return m.group(1), m.group(2) or "", m.group(3), bool(re.match(r"\s*INSERT\s+IGNORE", sql, re.I))


def parse(sql):
    try:
        return sqlglot.parse_one(sql, read="mysql")
    except sqlglot.errors.ParseError as exc:
        err = exc.errors[0] if exc.errors else {}
        col = err.get("col") or 1
        raise errors.syntax(sql, col, sql[max(col - 1, 0):]) from None


def translate(tree, resolve_table, column_types=None):
    """Rewrite table references and MySQL-only constructs in a parsed statement.

    resolve_table(catalog, db, name, is_target) -> (schema, sqlite_table_name); column_types(schema, sqlite_table_name)
    -> {column: MySQL type}, used to give DECIMAL results their scale (see decimal_scale).
    """
    if isinstance(tree, exp.Command):
        raise errors.syntax(tree.sql(), 1, tree.sql())
    targets = set()
    for node_type in (exp.Insert, exp.Update, exp.Delete):
        for node in tree.find_all(node_type):
            tgt = node.this
            if isinstance(tgt, exp.Schema):
                tgt = tgt.this
            if isinstance(tgt, exp.Table):
                targets.add(id(tgt))
    if isinstance(tree, exp.Delete):
        for t in tree.args.get("tables") or []:
            targets.add(id(t))

    cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    read = {}  # alias -> (schema, SQLite table) of the tables read
    for table in list(tree.find_all(exp.Table)):
        name = table.name
        if not name or (not table.db and name.lower() in cte_names):
            continue
        schema, sqlite_table = resolve_table(table.catalog, table.db, name, id(table) in targets)
        if column_types is not None:
            read[table.alias_or_name.lower()] = (schema, sqlite_table)
        new = exp.Table(this=exp.to_identifier(sqlite_table, quoted=True),
                        db=exp.to_identifier(schema, quoted=True))
        alias = table.args.get("alias")
        if alias is not None:
            new.set("alias", alias)
        elif id(table) not in targets:
            new.set("alias", exp.TableAlias(this=exp.to_identifier(name, quoted=True)))
        table.replace(new)

    if column_types is not None and isinstance(tree, exp.Select):
        decimal_scale(tree, read, column_types)
    for col in tree.find_all(exp.Column):
        if col.args.get("db") is not None:
            col.set("db", None)
            col.set("catalog", None)

    if isinstance(tree, exp.Insert):
        conflict = tree.args.get("conflict")
        if conflict is not None and conflict.args.get("duplicate"):
            sets = []
            for eq in conflict.expressions:
                rhs = eq.expression.transform(_values_to_excluded)
                sets.append(exp.EQ(this=eq.this, expression=rhs))
            tree.set("conflict", exp.OnConflict(action=exp.var("DO UPDATE"), expressions=sets))
    if isinstance(tree, exp.TruncateTable):
        return "DELETE FROM %s" % tree.expressions[0].sql(dialect="sqlite")
    return tree.sql(dialect="sqlite")


# SQLite refuses compound SELECTs of more than 500 terms, and sqlglot recurses once per term;
# MatrixOne has neither limit. Long UNION ALL chains are split on the raw text and regrouped.
_MAX_COMPOUND = 400
SPLIT_THRESHOLD = 100


def split_union_all(sql):
    """Top-level parts of `a UNION ALL b UNION ALL ...`, or [sql] when it is not such a chain."""
    tokens = tokenize(sql)
    cuts, depth = [], 0
    for i, tok in enumerate(tokens):
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        elif depth == 0 and tok.is_word("UNION") and i + 1 < len(tokens) and tokens[i + 1].is_word("ALL"):
            cuts.append((tok.start, tokens[i + 1].end))
    if len(cuts) < SPLIT_THRESHOLD:
        return [sql]
    parts, last = [], 0
    for start, end in cuts:
        parts.append(sql[last:start])
        last = end
    parts.append(sql[last:])
    if re.search(r"\b(order\s+by|limit)\b", parts[-1], re.I) and not parts[-1].strip().endswith(")"):
        return [sql]  # an ORDER BY/LIMIT applies to the whole chain: leave it to the normal path
    return parts


def regroup_union_all(texts):
    """SQLite text for the UNION ALL of already translated parts, nested in groups SQLite accepts."""
    if len(texts) <= _MAX_COMPOUND:
        return " UNION ALL ".join(texts)
    groups = [texts[i:i + _MAX_COMPOUND] for i in range(0, len(texts), _MAX_COMPOUND)]
    return " UNION ALL ".join("SELECT * FROM (%s) AS g%d" % (" UNION ALL ".join(g), n) for n, g in enumerate(groups))


def label_projections(tree):
    """Give computed select items MySQL's column label (the expression text, function names lower-case)."""
    if not isinstance(tree, exp.Select):
        return
    for i, proj in enumerate(tree.expressions):
        if not isinstance(proj, (exp.Column, exp.Alias, exp.Star)):
            label = proj.sql(dialect="mysql")
            if isinstance(proj, exp.Func) and "(" in label:
                label = label[0:label.index("(")].lower() + label[label.index("("):]
            if isinstance(proj, exp.SessionParameter):
                label = "@@" + proj.name
            tree.expressions[i] = exp.alias_(proj, label, quoted=True)


_SCALE = re.compile(r"^\s*(?:decimal|numeric|dec)\s*\(\s*\d+\s*,\s*(\d+)\s*\)", re.I)


def decimal_scale(select, read, column_types):
    """A DECIMAL(p, s) column, and SUM, MIN or MAX of one, comes back with its s digits as MatrixOne sends it
    ('30.50', not SQLite's 30.5): the top-level projections are formatted to their scale."""
    types = {}
    for alias, (schema, table) in read.items():
        for column, mysql_type in column_types(schema, table).items():
            m = _SCALE.match(mysql_type or "")
            if m:
                types.setdefault(column.lower(), {})[alias] = int(m.group(1))
    if not types:
        return
    for i, proj in enumerate(select.expressions):
        inner = proj.this if isinstance(proj, exp.Alias) else proj
        column = inner.this if isinstance(inner, (exp.Sum, exp.Min, exp.Max)) else inner
        if not isinstance(column, exp.Column) or column.name.lower() not in types:
            continue
        scales = types[column.name.lower()]
        scale = scales.get(column.table.lower()) if column.table else \
            (next(iter(scales.values())) if len(scales) == 1 and len(read) == 1 else None)
        if scale is None:
            continue
        label = proj.alias if isinstance(proj, exp.Alias) else column.name
        formatted = exp.If(this=exp.Is(this=inner.copy(), expression=exp.Null()), true=exp.Null(),
                           false=exp.Anonymous(this="printf", expressions=[exp.Literal.string("%%.%df" % scale),
                                                                           inner.copy()]))
        select.expressions[i] = exp.alias_(formatted, label, quoted=True)


def _values_to_excluded(node):
    if isinstance(node, exp.Anonymous) and str(node.this).upper() == "VALUES" and node.expressions:
        return exp.column(node.expressions[0].name, table="excluded")
    if isinstance(node, exp.Values) and node.expressions:
        return exp.column(node.expressions[0].name, table="excluded")
    return node
