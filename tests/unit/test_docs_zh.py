# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Chinese guides keep step with the English ones: each guide a DBA opens in a hurry has a docs/zh page with
the same sections (heading levels in order), the same examples (fenced blocks) and the same table rows."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

import pytest

DOCS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "docs")
GUIDES = ["restore.md", "guarded-changes.md", "backup.md", "troubleshooting.md", "mo_br.md", "snapshots.md",
          "pitr.md", "connection.md"]


def outline(path):
    """(heading levels in order, number of fenced blocks, number of table rows) of a Markdown file; code is skipped."""
    levels, fences, rows, in_code = [], 0, 0, False
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("```"):
                fences += not in_code
                in_code = not in_code
            elif in_code:
                continue
            elif re.match(r"#{1,6} ", line):
                levels.append(len(line.split(" ", 1)[0]))
            elif line.startswith("|"):
                rows += 1
    return levels, fences, rows


@pytest.mark.parametrize("guide", GUIDES)
def test_each_guide_has_a_zh_page_with_the_same_sections(guide):
    zh = os.path.join(DOCS, "zh", guide)
    assert os.path.isfile(zh), "docs/zh/%s is missing" % guide
    en_levels, en_fences, en_rows = outline(os.path.join(DOCS, guide))
    zh_levels, zh_fences, zh_rows = outline(zh)
    assert zh_levels == en_levels, "sections differ from docs/%s" % guide
    assert (zh_fences, zh_rows) == (en_fences, en_rows), "examples or table rows differ from docs/%s" % guide


@pytest.mark.parametrize("guide", GUIDES)
def test_the_zh_index_links_each_page_and_each_link_resolves(guide):
    with open(os.path.join(DOCS, "zh", "README.md"), encoding="utf-8") as handle:
        assert "(%s)" % guide in handle.read()
    with open(os.path.join(DOCS, "zh", guide), encoding="utf-8") as handle:
        text = handle.read()
    for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", text):
        assert os.path.isfile(os.path.normpath(os.path.join(DOCS, "zh", target))), "%s links %s" % (guide, target)
