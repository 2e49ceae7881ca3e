"""The scenario schema's refusals as sentences in the page's language.

pydantic words its messages in English ("Input should be greater than or equal to 0");
a Swedish page must not show them. Each error pydantic reports carries a type
(``greater_than_equal``, ``int_parsing`` …), the limit in ``ctx`` and the value given, so
the sentence is rendered from a catalogue template instead of translating English text.
The explorer's form checks types, choices and the allocation shares before the schema
sees them, so in practice what arrives here are range errors; anything else is still
shown, with pydantic's own words as the detail.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic_core import ErrorDetails

from model.params import REGISTER
from viz.words import plain_number, text

# pydantic error type -> (catalogue template, the ctx entry holding the limit)
RANGE_ERRORS: dict[str, tuple[str, str]] = {
    "greater_than_equal": ("greater_than_equal", "ge"),
    "less_than_equal": ("less_than_equal", "le"),
    "greater_than": ("greater_than", "gt"),
    "less_than": ("less_than", "lt"),
}
TYPE_ERRORS: dict[str, str] = {
    "int_parsing": "not_whole",
    "int_from_float": "not_whole",
    "int_type": "not_whole",
    "float_parsing": "not_number",
    "float_type": "not_number",
    "finite_number": "not_number",
    "bool_parsing": "not_onoff",
    "bool_type": "not_onoff",
}


def error_key(error: ErrorDetails) -> str:
    """The dotted scenario key an error is about (``programme.years``)."""
    return ".".join(str(part) for part in error["loc"])


def shown(value: Any, lang: str) -> str:
    """A given value as a message quotes it: numbers as the language writes them."""
    if value is None or value == "":
        return text("empty", lang)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return plain_number(value, lang)
    return repr(value)


def _bound(value: float | None, lang: str, infinite: str) -> str:
    return infinite if value is None or math.isinf(value) else plain_number(value, lang)


def allowed_range(key: str, lang: str) -> str:
    """The register's allowed range as ' (allowed 0 to 5 000)', or '' for a key not in it."""
    parameter = REGISTER.get(key)
    if parameter is None or parameter.allowed is None:
        return ""
    low, high = parameter.allowed
    words = text("allowed_range", lang, low=_bound(low, lang, "−∞"), high=_bound(high, lang, "∞"))
    return f" ({words})"


def schema_message(error: ErrorDetails, lang: str) -> str:
    """What is wrong with the value, in ``lang``, with the allowed range when it has one."""
    kind, given = error["type"], error.get("input")
    if kind in RANGE_ERRORS:
        template, limit = RANGE_ERRORS[kind]
        context = error.get("ctx") or {}
        message = text(
            template, lang, limit=shown(context.get(limit), lang), value=shown(given, lang)
        )
        return message + allowed_range(error_key(error), lang)
    if kind in TYPE_ERRORS:
        return text(TYPE_ERRORS[kind], lang, value=shown(given, lang))
    return text("not_allowed", lang, detail=error["msg"])
