"""The documentation stays true to the code."""

from __future__ import annotations

import re

from model.odd import ODD_FILE, module_table, parameter_table


def test_odd_parameter_table_matches_the_register() -> None:
    text = ODD_FILE.read_text(encoding="utf-8")
    block = re.search(r"<!-- parameters:start -->\n(.*?)\n<!-- parameters:end -->", text, re.DOTALL)
    assert block, "docs/ODD.md lost its parameter markers"
    assert block.group(1) == parameter_table(), "docs/ODD.md is out of date: run `make docs`"


def test_odd_module_table_matches_the_modules() -> None:
    text = ODD_FILE.read_text(encoding="utf-8")
    block = re.search(r"<!-- modules:start -->\n(.*?)\n<!-- modules:end -->", text, re.DOTALL)
    assert block, "docs/ODD.md lost its module markers"
    assert block.group(1) == module_table(), "docs/ODD.md is out of date: run `make docs`"
