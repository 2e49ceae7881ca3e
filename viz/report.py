"""One self-contained HTML report from a run, comparison or sweep folder.

The report opens offline (Plotly's JavaScript is embedded once), starts with key
findings written from the effects table (sentences with numbers and intervals, ready to
quote), then the scenario's assumptions (what differs from the register's defaults),
the figures, the tables and the manifest. Swedish or English.

A folder is checked before anything is read from it: a run's tables must all belong to
its manifest (``experiments.run_folder``), a sweep's parts must be readable and its
analysis current (made again when the sweep has changed since); the report of a sweep
says how many of its runs are missing or failed.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from experiments.analysis import AnalysisError, ensure_current
from experiments.dataset import SweepFolderError, run_counts
from experiments.run_folder import RunFolderError, verify_run_folder
from experiments.storage import DamagedFileError, read_manifest
from experiments.summary import adoption_milestones
from model.outputs import read_tables
from model.params import PARAMETERS, shown_default
from model.reference import load_municipalities
from viz.adoption import adoption_over_time
from viz.choropleths import difference_map, money_map, probability_map
from viz.effects import effects_forest
from viz.findings import driver_findings, effect_findings, milestone_findings
from viz.geography import OFFLINE_GEO_SCRIPT
from viz.headline import headline_effects
from viz.labels import innovation_labels, innovation_namer, readable_table, relabel_tables
from viz.market import supplier_market
from viz.money import budget_sankey, calls_summary, state_spending_over_time
from viz.panels import adoption_panels
from viz.sensitivity import morris_plot, response_surface, sobol_indices
from viz.words import check_lang, number, text

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0; display: block; overflow-x: auto; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; }
th { background: #f4f4f4; } li { margin: 0.4rem 0; } .note { color: #666; font-size: 0.9rem; }
pre { background: #f7f7f7; padding: 0.8rem; overflow-x: auto; font-size: 0.8rem; }
"""


class ReportError(ValueError):
    """The folder is not a run, comparison or sweep the report can read."""


def folder_kind(folder: Path) -> str:
    if not folder.is_dir():
        raise ReportError(f"{folder}: no such folder")
    if (folder / "effects.csv").exists() and (folder / "a").is_dir():
        return "compare"
    manifest = folder / "manifest.json"
    if not manifest.exists():
        raise ReportError(
            f"{folder}: not a result folder (expected manifest.json from `spridning run` or "
            "`spridning sweep`, or effects.csv with a/ and b/ from `spridning compare`)"
        )
    kind = _manifest(folder).get("kind")
    if kind not in ("run", "sweep"):
        raise ReportError(f"{manifest}: unknown kind {kind!r}")
    return kind


def _manifest(folder: Path) -> dict[str, Any]:
    try:
        return read_manifest(folder / "manifest.json", "the report cannot say what made it")
    except DamagedFileError as error:
        raise ReportError(str(error)) from None


def _verified_run(folder: Path) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """A run folder's manifest and tables, once its tables are known to belong together."""
    try:
        return verify_run_folder(folder), read_tables(folder)
    except (RunFolderError, DamagedFileError) as error:
        raise ReportError(str(error)) from None


def _section(scenario: dict[str, Any], section: str) -> dict[str, Any]:
    """A section of a resolved scenario; runs written before the levers became sections
    of their own kept them under "policies"."""
    return scenario.get(section) or scenario.get("policies", {}).get(section, {})


def changed_parameters(scenario: dict[str, Any], lang: str) -> pd.DataFrame:
    """Register parameters whose value in the (resolved) scenario is not the default:
    numbers, switches, choices and zones alike."""
    rows = []
    for parameter in PARAMETERS:
        if parameter.section == "innovation":
            continue
        holder = _section(scenario, parameter.section)
        default = parameter.default
        if isinstance(default, tuple):
            default = list(default)
        if parameter.field in holder and holder[parameter.field] != default:
            rows.append(
                (
                    parameter.name,
                    holder[parameter.field],
                    shown_default(parameter),
                    parameter.unit,
                    parameter.source,
                )
            )
    columns = ("parameter", "value", "default", "unit", "source")
    return pd.DataFrame(rows, columns=[text(f"report_column_{c}", lang) for c in columns])


def innovations_table(scenario: dict[str, Any], lang: str = "en") -> pd.DataFrame:
    """The scenario's innovations by label, with the attributes a reader weighs first."""
    columns = [
        "label",
        "kind",
        "legal_barrier",
        "external_rate",
        "benefit_sek_per_capita_year",
        "cost_sek_per_capita_year",
        "trial_months",
        "trial_cost_msek",
        "initial_suppliers",
    ]
    labels = innovation_labels(scenario["innovations"], lang)
    table = pd.DataFrame(scenario["innovations"])
    table["label"] = [labels.get(str(n), str(n)) for n in table["name"]]
    return table.reindex(columns=columns)


def _cell(value: object, lang: str, decimals: int) -> object:
    """A table cell as the language writes it: 0,107 in Swedish, yes/no for switches."""
    if isinstance(value, bool):
        return text("value_yes" if value else "value_no", lang)
    if isinstance(value, float):
        return "" if pd.isna(value) else number(value, lang, decimals)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


def _table(frame: pd.DataFrame, lang: str = "en", decimals: int = 3) -> str:
    """A table as HTML, its numbers written the way ``lang`` writes them (the validation
    report is in English)."""
    shown = frame.astype(object).map(lambda v: _cell(v, lang, decimals))
    return shown.to_html(index=False, border=0)


def _figure(fig: go.Figure) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, config={"responsive": True})


def _assumptions(scenario: dict[str, Any], lang: str, title: str | None = None) -> str:
    changed = changed_parameters(scenario, lang)
    heading = f"<h3>{html.escape(title)}</h3>" if title else ""
    body = _table(changed, lang) if len(changed) else f"<p>{text('report_none_changed', lang)}</p>"
    return (
        f"{heading}<p class='note'>{text('report_assumptions_intro', lang)}</p>{body}"
        f"<h3>{text('report_innovations', lang)}</h3>"
        f"{_table(readable_table(innovations_table(scenario, lang), lang, str), lang)}"
    )


def named_innovations(*scenarios: dict[str, Any]) -> list[str]:
    """The innovations every scenario names (in the first's order): the ones a report draws
    one by one (the pipeline's generated innovations are many, and differ between runs)."""
    names = [str(i["name"]) for i in scenarios[0]["innovations"]]
    for scenario in scenarios[1:]:
        theirs = {str(i["name"]) for i in scenario["innovations"]}
        names = [n for n in names if n in theirs]
    return names


def _only(table: pd.DataFrame, innovations: list[str]) -> pd.DataFrame:
    return table[table["innovation"].astype(str).isin(innovations)]


def _maps_and_money(
    tables: dict[str, pd.DataFrame],
    scenario: dict[str, Any],
    lang: str,
    innovations: list[str],
    baseline: tuple[str, dict[str, pd.DataFrame]] | None = None,
) -> list[go.Figure]:
    """Per innovation of ``innovations`` (as the tables name them): the probability of
    having adopted by each year (and its difference from the baseline's), adoption by size
    class; then the market and the money."""
    reference = load_municipalities()
    run = scenario["run"]
    timing = {"months": run["months"], "start_year": run.get("start_year"), "lang": lang}
    figures = []
    for innovation in innovations:
        figures.append(
            probability_map(tables["municipalities"], reference, innovation=innovation, **timing)
        )
        if baseline is not None:
            (name_a, tables_a), name_b = baseline, scenario["name"]
            figures.append(
                difference_map(
                    tables_a["municipalities"],
                    tables["municipalities"],
                    reference,
                    innovation=innovation,
                    names=(name_a, name_b),
                    **timing,
                )
            )
        figures.append(
            adoption_over_time(
                by="size_class", groups=tables["groups"], innovation=innovation, lang=lang
            )
        )
    figures.append(supplier_market(tables["timeseries"], lang=lang))
    if tables["state_money"]["budget_msek"].sum() > 0:
        received = tables.get("money_received")
        if received is not None and len(received):
            figures.append(money_map(received, reference, lang=lang))
        figures += [
            budget_sankey(
                tables["state_money"],
                tables["timeseries"],
                lang=lang,
                received=received,
                reference=reference,
            ),
            state_spending_over_time(tables["state_money"], lang=lang),
        ]
    return figures


def _sections_run(folder: Path, lang: str) -> tuple[str, list[str], str, list[go.Figure], str]:
    manifest, tables = _verified_run(folder)
    scenario = manifest["scenario"]
    name = innovation_namer(scenario["innovations"], lang)
    tables = relabel_tables(tables, name)
    findings = milestone_findings(adoption_milestones(tables["timeseries"]), lang)
    named = [name(n) for n in named_innovations(scenario)]
    shown = _only(tables["timeseries"], named) if named else tables["timeseries"]
    figures = [
        adoption_over_time(shown, lang=lang),
        *_maps_and_money(tables, scenario, lang, named),
    ]
    return scenario["name"], findings, _assumptions(scenario, lang), figures, _calls(tables, lang)


def _sections_compare(folder: Path, lang: str) -> tuple[str, list[str], str, list[go.Figure], str]:
    (a, tables_a), (b, tables_b) = _verified_run(folder / "a"), _verified_run(folder / "b")
    effects = _read_csv(folder / "effects.csv")
    name_a, name_b = a["scenario"]["name"], b["scenario"]["name"]
    name = innovation_namer([*b["scenario"]["innovations"], *a["scenario"]["innovations"]], lang)
    labels = {str(i): name(str(i)) for i in effects["innovation"].unique()}
    findings = effect_findings(effects, name_a, name_b, lang, labels)
    if (folder / "drivers.csv").exists():
        findings += driver_findings(_read_csv(folder / "drivers.csv"), lang)
    assumptions = _assumptions(a["scenario"], lang, f"A: {name_a}") + _assumptions(
        b["scenario"], lang, f"B: {name_b}"
    )
    tables_a, tables_b = relabel_tables(tables_a, name), relabel_tables(tables_b, name)
    named = named_innovations(b["scenario"], a["scenario"])
    shown = relabel_tables({"effects": _only(effects, [*named, "all"])}, name)["effects"]
    named = [name(n) for n in named]
    panels = {
        name_a: _only(tables_a["timeseries"], named),
        name_b: _only(tables_b["timeseries"], named),
    }
    figures = [
        headline_effects(shown, name_a, name_b, lang=lang),
        adoption_panels(panels, lang),
        effects_forest(shown, lang=lang, name_a=name_a, name_b=name_b),
        *_maps_and_money(tables_b, b["scenario"], lang, named, baseline=(name_a, tables_a)),
    ]
    tables_html = (
        _table(readable_table(effects, lang, name), lang)
        + _attribution(folder, lang, name)
        + _calls(tables_b, lang)
    )
    return f"{name_b} / {name_a}", findings, assumptions, figures, tables_html


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except (OSError, ValueError) as error:
        raise ReportError(f"{path}: cannot be read ({error})") from None


def _calls(tables: dict[str, pd.DataFrame], lang: str) -> str:
    """Per lever, year and instrument: money available, applied for, granted, moved,
    rolled over and returned (means over replications), when a lever ran calls."""
    calls = tables.get("programme_calls")
    if calls is None or calls.empty:
        return ""
    summary = readable_table(calls_summary(calls), lang, str)
    return (
        f"<h3 id='programme-calls'>{text('report_calls', lang)}</h3>"
        f"<p class='note'>{text('report_calls_intro', lang)}</p>"
        f"{_table(summary, lang, decimals=1)}"
    )


def _attribution(folder: Path, lang: str, name: Callable[[str], str]) -> str:
    """compare --attribute's table over all innovations, when the folder has one."""
    path = folder / "attribution.csv"
    if not path.exists():
        return ""
    table = _read_csv(path)
    overall = table[table["innovation"] == "all"].drop(columns="innovation")
    return (
        f"<h3 id='attribution'>{text('report_attribution', lang)}</h3>"
        f"<p class='note'>{text('report_attribution_intro', lang)}</p>"
        f"{_table(readable_table(overall, lang, name), lang)}"
    )


def _sobol_finding(sobol: pd.DataFrame, outcome: str, lang: str) -> str | None:
    """Which parameter explains most of an outcome's variation over all innovations."""
    rows = sobol[(sobol["innovation"] == "all") & (sobol["outcome"] == outcome)]
    if rows.empty:
        return None
    top = rows.sort_values("ST", ascending=False).iloc[0]
    return text(
        "report_sweep_finding",
        lang,
        parameter=top["parameter"],
        outcome=outcome,
        st=f"{top['ST']:.2f}",
        conf=f"{top['ST_conf']:.2f}",
    )


def _discovery_finding(box: pd.DataFrame, below: float, lang: str) -> str:
    """Where the effect vanishes: the PRIM box's limits, coverage and density."""
    limits = "; ".join(f"{r.parameter} {r.low:.3g}–{r.high:.3g}" for r in box.itertuples())
    return text(
        "report_discovery",
        lang,
        below=below,
        box=limits,
        coverage=f"{box['coverage'].iloc[0]:.2f}",
        density=f"{box['density'].iloc[0]:.2f}",
    )


def _sections_sweep(folder: Path, lang: str) -> tuple[str, list[str], str, list[go.Figure], str]:
    manifest = _manifest(folder)
    definition = manifest.get("definition")
    if not isinstance(definition, dict) or not isinstance(definition.get("experiment"), dict):
        raise ReportError(
            f"{folder / 'manifest.json'}: no experiment definition; is this a sweep's folder?"
        )
    experiment = definition["experiment"]
    analysis = folder / "analysis"
    if not (analysis / "response.csv").exists():
        raise ReportError(f"{folder}: no analysis yet; run `spridning analyse {folder}` first")
    try:
        ensure_current(folder)
        stored, failed = run_counts(folder)
    except (AnalysisError, SweepFolderError) as error:
        raise ReportError(str(error)) from None
    findings, figures, tables = [], [], []
    response = pd.read_csv(analysis / "response.csv")
    names = [p["name"] for p in manifest["definition"]["parameters"]]
    outcomes = list(dict.fromkeys(response["outcome"]))
    if (analysis / "sobol.csv").exists():
        sobol = pd.read_csv(analysis / "sobol.csv")
        for outcome in outcomes:
            finding = _sobol_finding(sobol, outcome, lang)
            if finding:
                findings.append(finding)
                figures.append(sobol_indices(sobol, outcome, lang=lang))
        tables.append(_table(readable_table(sobol, lang, str), lang))
    if (analysis / "morris.csv").exists():
        morris = pd.read_csv(analysis / "morris.csv")
        figures += [
            morris_plot(morris, o, lang=lang) for o in outcomes if o in set(morris["outcome"])
        ]
        tables.append(_table(readable_table(morris, lang, str), lang))
    if experiment["design"] == "grid" and 1 <= len(names) <= 2:
        chosen = [o for o in outcomes if o.startswith("effect_")] or outcomes
        y = names[1] if len(names) == 2 else None
        for outcome in chosen:
            figures.append(response_surface(response, names[0], y, outcome=outcome, lang=lang))
    if (analysis / "discovery_box.csv").exists():
        box = pd.read_csv(analysis / "discovery_box.csv")
        if len(box):
            findings.append(_discovery_finding(box, experiment["discovery"]["below"], lang))
            tables.append(_table(readable_table(box, lang, str), lang))
    findings += completeness(manifest.get("runs_total"), stored, failed, lang)
    scenario = manifest["definition"]["scenario"]
    assumptions = _assumptions(scenario, lang) if scenario else ""
    return experiment["name"], findings, assumptions, figures, "".join(tables)


def completeness(total: object, stored: int, failed: int, lang: str) -> list[str]:
    """Sentences on runs missing or failed (none for a complete sweep without failures)."""
    sentences = []
    if isinstance(total, int) and stored < total:
        missing, whole = number(total - stored, lang), number(total, lang)
        sentences.append(text("report_runs_missing", lang, missing=missing, total=whole))
    if failed:
        shown = total if isinstance(total, int) else stored
        failed_text, whole = number(failed, lang), number(shown, lang)
        sentences.append(text("report_runs_failed", lang, failed=failed_text, total=whole))
    return sentences


def build_report(folder: Path | str, lang: str = "sv") -> str:
    """The report's HTML for a run, comparison or sweep folder."""
    check_lang(lang)
    folder = Path(folder)
    kind = folder_kind(folder)
    builder = {"run": _sections_run, "compare": _sections_compare, "sweep": _sections_sweep}[kind]
    name, findings, assumptions, figures, tables = builder(folder, lang)
    manifest_path = folder / ("a/manifest.json" if kind == "compare" else "manifest.json")
    parts = [
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>",
        f"<title>spridning: {html.escape(name)}</title><style>{STYLE}</style>",
        OFFLINE_GEO_SCRIPT,
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>",
        f"<h1>{text(f'report_title_{kind}', lang)}: {html.escape(name)}</h1>",
        f"<p class='note'>{text('report_generated', lang)} {html.escape(str(folder))}</p>",
        f"<h2 id='findings'>{text('report_findings', lang)}</h2><ul>",
        *(f"<li>{html.escape(sentence)}</li>" for sentence in findings),
        "</ul>",
        f"<h2 id='assumptions'>{text('report_assumptions', lang)}</h2>{assumptions}",
        f"<h2 id='figures'>{text('report_figures', lang)}</h2>",
        *(_figure(fig) for fig in figures),
    ]
    if tables:
        heading = text("report_effects" if kind == "compare" else "report_analysis", lang)
        parts.append(f"<h2 id='tables'>{heading}</h2>{tables}")
    manifest_text = html.escape(manifest_path.read_text(encoding="utf-8"))
    parts.append(
        f"<h2 id='manifest'>{text('report_manifest', lang)}</h2><details><summary>manifest.json</summary><pre>{manifest_text}</pre></details>"
    )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(folder: Path | str, out: Path | str | None = None, lang: str = "sv") -> Path:
    """Write the report (default ``folder/report.html``) atomically; return its path."""
    from experiments.storage import atomic_write_bytes

    target = Path(out) if out else Path(folder) / "report.html"
    atomic_write_bytes(target, build_report(folder, lang).encode("utf-8"))
    return target
