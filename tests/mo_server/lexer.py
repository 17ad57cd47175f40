"""Tokenizer for the MatrixOne statements the server parses itself.

It splits a COM_QUERY into statements (respecting quotes and comments) and gives a small
recursive-descent parser tokens with their positions, so syntax errors can say
`near "<rest>"` with the column the way MatrixOne's yacc parser does.
"""

import re

from . import errors

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+|--[^\n]*|\#[^\n]*|/\*.*?\*/)
  | (?P<bq>`(?:[^`]|``)*`)
  | (?P<str>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*")
  | (?P<num>-?\d+(?:\.\d+)?)
  | (?P<word>[A-Za-z_$@][A-Za-z0-9_$@]*)
  | (?P<punct><=|>=|<>|!=|:=|<<|>>|&&|\|\||[{}=.,;()*<>+\-/%:!?&|^~])
    """,
    re.X | re.S,
)


class Token:
    __slots__ = ("kind", "text", "value", "start", "end")

    def __init__(self, kind, text, value, start, end):
        self.kind, self.text, self.value, self.start, self.end = kind, text, value, start, end

    def is_word(self, *words):
        return self.kind == "word" and self.value.upper() in words

    def __repr__(self):
        return "Token(%s,%r)" % (self.kind, self.text)


def _unquote(kind, text):
    if kind == "bq":
        return text[1:-1].replace("``", "`")
    if kind == "str":
        quote = text[0]
        body = text[1:-1].replace(quote * 2, quote)
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "0": "\0"}.get(m.group(1), m.group(1)), body)
    return text


def tokenize(sql):
    """Return the tokens of one statement; an unterminated quote raises a 1064."""
    tokens, pos = [], 0
    while pos < len(sql):
        m = _TOKEN.match(sql, pos)
        if not m:
            raise errors.syntax(sql, pos + 1, sql[pos:])
        kind = m.lastgroup
        if kind != "ws":
            text = m.group()
            tokens.append(Token(kind, text, _unquote(kind, text), m.start(), m.end()))
        pos = m.end()
    return tokens


def split_statements(sql):
    """Split on `;` outside quotes and comments; empty statements are dropped."""
    parts, start, pos = [], 0, 0
    while pos < len(sql):
        m = _TOKEN.match(sql, pos)
        if not m:  # unterminated quote: leave the rest as one statement for the parser to reject
            break
        if m.group() == ";" and m.lastgroup == "punct":
            parts.append(sql[start:m.start()])
            start = m.end()
        pos = m.end()
    parts.append(sql[start:])
    return [p for p in parts if strip_comments(p).strip()]


def strip_comments(sql):
    return re.sub(r"/\*.*?\*/|--[^\n]*", " ", sql, flags=re.S)


class Parser:
    """Cursor over tokens with MatrixOne-style syntax errors."""

    def __init__(self, sql):
        self.sql = sql
        self.tokens = tokenize(sql)
        self.i = 0

    @classmethod
    def after(cls, sql, *words):
        """A parser past the statement's leading words (those its handler is registered for)."""
        parser = cls(sql)
        for word in words:
            parser.expect(word)
        return parser

    def if_exists(self):
        """An optional IF EXISTS."""
        return bool(self.accept("IF") and self.expect("EXISTS"))

    def if_not_exists(self):
        """An optional IF NOT EXISTS."""
        return bool(self.accept("IF") and self.expect("NOT") and self.expect("EXISTS"))

    def peek(self, offset=0):
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def at_end(self):
        return self.i >= len(self.tokens) or (self.tokens[self.i].text == ";" and self.i == len(self.tokens) - 1)

    def error(self):
        """1064 at the current token: column = end of the token, near = text after the previous one."""
        tok = self.peek()
        prev_end = self.tokens[self.i - 1].end if self.i > 0 else 0
        if tok is None:
            return errors.syntax(self.sql, len(self.sql), "")
        return errors.syntax(self.sql, tok.end, self.sql[prev_end:])

    def accept(self, *words):
        tok = self.peek()
        if tok is not None and tok.is_word(*words):
            self.i += 1
            return tok.value.upper()
        return None

    def expect(self, *words):
        got = self.accept(*words)
        if got is None:
            raise self.error()
        return got

    def accept_punct(self, p):
        tok = self.peek()
        if tok is not None and tok.kind == "punct" and tok.text == p:
            self.i += 1
            return True
        return False

    def expect_punct(self, p):
        if not self.accept_punct(p):
            raise self.error()

    def ident(self):
        """An identifier: bare word or backquoted. MatrixOne lower-cases unquoted names."""
        tok = self.peek()
        if tok is None or tok.kind not in ("word", "bq"):
            raise self.error()
        self.i += 1
        return tok.value.lower() if tok.kind == "word" else tok.value

    def ident_or_string(self):
        tok = self.peek()
        if tok is not None and tok.kind == "str":
            self.i += 1
            return tok.value
        return self.ident()

    def number(self):
        tok = self.peek()
        if tok is None or tok.kind != "num" or "." in tok.text or tok.text.startswith("-"):
            raise self.error()
        self.i += 1
        return int(tok.text)

    def string(self):
        tok = self.peek()
        if tok is None or tok.kind != "str":
            raise self.error()
        self.i += 1
        return tok.value

    def end(self):
        self.accept_punct(";")
        if self.i < len(self.tokens):
            raise self.error()
