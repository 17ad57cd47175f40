# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every error the collection raises. The module shell (_module.MoModule.run) turns any of them into the failed task:
its message, plus the fields in `result`. Imports nothing, so every other file may import it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class MoError(Exception):
    """The base: a message and `result`, fields the failed task returns besides msg."""

    def __init__(self, msg, **result):
        super(MoError, self).__init__(msg)
        self.result = result


class InvalidInput(MoError, ValueError):
    """Bad input, found before any SQL runs; the message names the parameter."""


class RestoreRefused(MoError, ValueError):
    """MatrixOne would refuse this restore (or it cannot be done safely); found before any restore statement."""


class FeatureUnavailable(MoError):
    """The server lacks a feature; the message names it and the version it needs."""


class ConnectionFailure(MoError):
    """No connection could be made; the message says to what and, where known, why."""


class SqlError(MoError):
    """The server refused a statement: its MatrixOne code and text, and the statement (masked)."""

    def __init__(self, code, text, statement):
        super(SqlError, self).__init__("MatrixOne error %s: %s (statement: %s)" % (code, text, statement.display))
        self.code = code
        self.text = text
        self.statement = statement

    def during(self, doing):
        """The message of a task that failed on this error while `doing` something."""
        return "%s failed: MatrixOne error %s: %s" % (doing, self.code, self.text)


class ConnectionLost(MoError):
    """The connection broke or timed out while a statement ran: its outcome is unknown."""

    def __init__(self, code, text, statement):
        super(ConnectionLost, self).__init__(
            "connection lost while running %s: (%s) %s" % (statement.display, code, text))
        self.code = code
        self.text = text
        self.statement = statement


class BackupError(MoError):
    """A physical backup that is missing, partial or damaged where the task needs a good one."""


class StoreError(MoError):
    """Backup storage (a directory or S3) cannot be read or written."""
