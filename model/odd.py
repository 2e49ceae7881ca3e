"""Keep docs/ODD.md true: regenerate its generated parts from the code.

Run ``make docs`` (``python -m model.odd``). Three parts of docs/ODD.md are generated, each
between marker comments: the parameter table (from the register), the module table (from
the modules' declarations, in the order a month runs them) and the Bass docking table
(from a fresh docking run). ``tests/test_docs.py`` fails when the first two are out of date.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from model.params import PARAMETERS, range_text, shown_default

ODD_FILE = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|")


def parameter_table() -> str:
    lines = [
        "| parameter | unit | default | plausible range | source | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for p in PARAMETERS:
        lines.append(
            f"| `{p.name}` | {_cell(p.unit)} | {_cell(shown_default(p))} | {range_text(p)} | "
            f"{_cell(p.source)} | {_cell(p.description)} |"
        )
    return "\n".join(lines)


def module_table() -> str:
    """The month's modules in order, with what each declares (``model/module.py``)."""
    from model.model import MONTH

    def names(values: tuple[str, ...]) -> str:
        return ", ".join(f"`{v}`" for v in values)

    lines = [
        "| # | module | file | parameters | in the list when | streams | records |",
        "|---|---|---|---|---|---|---|",
    ]
    for number, kind in enumerate(MONTH, start=1):
        when = names(kind.switches) or "always"
        if kind.replaces:
            when = f"`{kind.replaces}` is off"
        if kind.options:
            when += f"; options {names(kind.options)}"
        file = kind.__module__.replace(".", "/") + ".py"
        summary = " ".join((kind.__doc__ or "").strip().split("\n\n")[0].split())
        lines.append(
            f"| {number} | `{kind.__name__}`: {_cell(summary)} | `{file}` | "
            f"{names(kind.parameters)} | {when} | {names(kind.streams)} | {names(kind.records)} |"
        )
    return "\n".join(lines)


def docking_table(replications: int = 150, seed: int = 11) -> str:
    from experiments.patterns import bass_curves

    table, p, q = bass_curves(replications, seed)
    mean, recursion, closed = (table[c].to_numpy() for c in ("model", "recursion", "closed_form"))
    lines = [
        f"p = {p} and q = {q} per month, {replications} replications (seed {seed}).",
        "",
        "| month | model mean | discrete recursion | continuous closed form |",
        "|---|---|---|---|",
    ]
    for month in (6, 12, 24, 36, 48, 60, 72, 96, 120, 180):
        if month <= len(table):
            k = month - 1
            lines.append(f"| {month} | {mean[k]:.4f} | {recursion[k]:.4f} | {closed[k]:.4f} |")
    lines.append("")
    lines.append(
        f"Largest absolute difference over all months: model vs recursion "
        f"{np.abs(mean - recursion).max():.4f}, model vs closed form {np.abs(mean - closed).max():.4f}."
    )
    return "\n".join(lines)


def replace_block(text: str, name: str, content: str) -> str:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"{ODD_FILE}: markers for {name!r} not found")
    return pattern.sub(lambda _: f"{start}\n{content}\n{end}", text)


def main() -> None:
    text = ODD_FILE.read_text(encoding="utf-8")
    text = replace_block(text, "parameters", parameter_table())
    text = replace_block(text, "modules", module_table())
    text = replace_block(text, "docking", docking_table())
    ODD_FILE.write_text(text, encoding="utf-8")
    print(f"updated {ODD_FILE}")


if __name__ == "__main__":
    main()
