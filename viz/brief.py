"""A one-page brief for a board: the question, the answer with its uncertainty, the cost,
who gains, the assumptions it rests on and a map, as an A4 PDF (``spridning brief``).

Written from a comparison folder (``spridning compare``): the effects table (whatever
uncertainty it carries: chance only, or the parameters' too under a posterior), the
groups tables (who gains, by size class), the municipalities tables (the map), the
drivers table when the comparison ran under a posterior (the assumptions the result
depends on most), else the parameters B sets off their defaults. The page is HTML with
Plotly's JavaScript inline, printed by headless Chromium with every network request
refused; nothing leaves the machine.
"""

from __future__ import annotations

import html
import io
import math
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from plotly.offline import get_plotlyjs
from pypdf import PdfReader

from experiments.compare import WITH_PARAMETERS
from experiments.run_folder import RunFolderError, verify_run_folder
from experiments.storage import DamagedFileError, atomic_write_bytes
from model.params import REGISTER
from model.reference import SIZE_CLASS_LABELS, load_municipalities
from viz.choropleths import ALL, difference_map
from viz.findings import effect_sentence
from viz.geography import OFFLINE_GEO_SCRIPT
from viz.headline import HEADLINE_METRIC, interval_columns
from viz.labels import innovation_namer
from viz.report import changed_parameters, named_innovations
from viz.words import CATALOGUE, check_lang, number, signed, text

HORIZON_MONTHS = 120  # the headline's horizon: 10 years
INTERVAL_NOTES = {
    "ci_low": "brief_interval_note_ci_low",
    "total_ci_low": "brief_interval_note_total_ci_low",
}
LEVERS = ("programme", "trial_legislation", "shared_procurement", "process_fund")
STYLE = """
@page { size: A4; margin: 12mm 12mm 10mm 12mm; }
body { font-family: 'DejaVu Sans', system-ui, sans-serif; font-size: 8.2pt; color: #222;
       margin: 0; line-height: 1.3; }
h1 { font-size: 14pt; margin: 0 0 2mm 0; } h2 { font-size: 9.6pt; margin: 3mm 0 1mm 0;
     border-bottom: 0.3mm solid #ccc; }
p { margin: 1mm 0; } .question { font-size: 9.6pt; } .answer { font-size: 9.6pt; }
.columns { display: flex; gap: 4mm; } .left { flex: 1.75; } .right { flex: 1; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0; }
th, td { border-bottom: 0.2mm solid #ddd; padding: 0.6mm 1mm; text-align: left; }
td.n, th.n { text-align: right; white-space: nowrap; } th { background: #f2f2f2; }
ol { margin: 1mm 0; padding-left: 5mm; } li { margin: 0.6mm 0; }
.note { color: #555; font-size: 7.4pt; } .footer { color: #666; font-size: 6.8pt;
       margin-top: 2mm; border-top: 0.2mm solid #ccc; padding-top: 1mm; }
"""


class BriefError(ValueError):
    """The folder cannot make a brief, or the PDF cannot be printed here."""


def _verified(folder: Path) -> dict[str, Any]:
    try:
        return verify_run_folder(folder)
    except (RunFolderError, DamagedFileError) as error:
        raise BriefError(str(error)) from None


def _read(path: Path, **options: Any) -> pd.DataFrame:
    try:
        if path.suffix == ".csv":
            return pd.read_csv(path)
        return pd.read_parquet(path, **options)
    except (OSError, ValueError) as error:
        raise BriefError(f"{path}: cannot be read ({error})") from None


def _pp(value: float, lang: str) -> str:
    return f"{signed(100 * value, lang, 1)}"


def _interval(low: float, high: float, lang: str) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return "–"
    return text("interval", lang, low=_pp(low, lang), high=_pp(high, lang))


def _levers(scenario: dict[str, Any], lang: str) -> str:
    """The levers B switches on, in words ("the innovation programme and ...")."""
    on = [
        CATALOGUE[lang][f"lever_{lever}"].lower()
        for lever in LEVERS
        if (scenario.get(lever) or scenario.get("policies", {}).get(lever, {})).get("enabled")
    ]
    if not on:
        return text("brief_no_levers", lang)
    return on[0] if len(on) == 1 else f"{', '.join(on[:-1])} {text('and', lang)} {on[-1]}"


def _answer_table(rows: pd.DataFrame, name, lang: str) -> str:
    low, high, _ = interval_columns(rows)
    with_parameters = "uncertainty" in rows and (rows["uncertainty"] == WITH_PARAMETERS).all()
    kind = text(
        "uncertainty_parameters and stochastic"
        if with_parameters
        else "uncertainty_stochastic only",
        lang,
    )
    each = rows[rows["innovation"].astype(str) != ALL].sort_values("diff", ascending=False)
    overall = rows[rows["innovation"].astype(str) == ALL]
    body = []
    for row in [*each.itertuples(), *overall.itertuples()]:
        label = (
            text("all_innovations_mean", lang) if row.innovation == ALL else name(row.innovation)
        )
        body.append(
            f"<tr><td>{html.escape(label)}</td>"
            f"<td class='n'>{number(100 * row.mean_a, lang, 1)} %</td>"
            f"<td class='n'>{number(100 * row.mean_b, lang, 1)} %</td>"
            f"<td class='n'><b>{_pp(row.diff, lang)}</b></td>"
            f"<td class='n'>{_interval(getattr(row, low), getattr(row, high), lang)}</td></tr>"
        )
    head = "".join(
        f"<th class='n'>{text(k, lang)}</th>"
        for k in ("brief_level_a", "brief_level_b", "brief_effect", f"brief_{low}")
    )
    return (
        f"<table><tr><th>{text('innovation', lang)}</th>{head}</tr>{''.join(body)}</table>"
        f"<p class='note'>{text(INTERVAL_NOTES[low], lang)} "
        f"{text('brief_covers', lang, kind=kind)}</p>"
    )


def _cost(effects: pd.DataFrame, name_a: str, months: int, lang: str) -> str:
    """What the state pays over the run, per extra adoption-year, and the value created."""
    overall = effects[effects["innovation"].astype(str) == ALL].set_index("metric")
    parts = []
    if "state_spending_msek" in overall.index:
        row = overall.loc["state_spending_msek"]
        parts.append(
            text(
                "brief_cost_state",
                lang,
                years=_years(months, lang),
                b=number(row["mean_b"], lang, 0),
                diff=signed(row["diff"], lang, 0),
                a=name_a,
            )
        )
    if "state_cost_per_adoption_year_msek" in overall.index:
        row = overall.loc["state_cost_per_adoption_year_msek"]
        if math.isfinite(float(row["diff"])):
            parts.append(text("brief_cost_per_year", lang, cost=number(row["diff"], lang, 2)))
    if "value_created_msek" in overall.index:
        row = overall.loc["value_created_msek"]
        parts.append(text("brief_value", lang, diff=signed(row["diff"], lang, 0)))
    return " ".join(parts)


def _size_shares(folder: Path, month: int, innovations: list[str]) -> pd.DataFrame:
    """Per replication and size class: adoption share at ``month``, mean over
    ``innovations`` (the named ones, as the headline's mean)."""
    filters = [("month", "==", month), ("group_type", "==", "size_class")]
    groups = _read(folder / "groups.parquet", filters=filters)
    groups = groups[groups["innovation"].astype(str).isin(innovations)]
    groups = groups.assign(group=groups["group"].astype(str))
    return groups.groupby(["replication", "group"], observed=True)["adoption_share"].mean()


def _who_gains(folder: Path, month: int, innovations: list[str], lang: str) -> str:
    """The paired effect per size class: mean and where 95 % of replications' effects lie."""
    a = _size_shares(folder / "a", month, innovations)
    b = _size_shares(folder / "b", month, innovations)
    paired = (b - a).dropna().unstack("group")
    rows = []
    for size in [s for s in SIZE_CLASS_LABELS if s in paired.columns]:
        effects = paired[size].to_numpy()
        low, high = np.quantile(effects, [0.025, 0.975])
        rows.append(
            f"<tr><td>{html.escape(size)}</td><td class='n'><b>{_pp(effects.mean(), lang)}</b></td>"
            f"<td class='n'>{_interval(low, high, lang)}</td></tr>"
        )
    return (
        f"<table><tr><th>{text('size_class', lang)}</th><th class='n'>"
        f"{text('brief_effect', lang)}</th><th class='n'>{text('brief_range', lang)}</th></tr>"
        f"{''.join(rows)}</table>"
    )


def parameter_words(parameter: str, lang: str) -> str:
    """A parameter in words: the catalogue's name for it, else the register's description."""
    words = CATALOGUE[check_lang(lang)].get(parameter)
    if words:
        return words
    declared = REGISTER.get(parameter)
    return declared.description if declared else parameter


def _assumptions(folder: Path, scenario: dict[str, Any], lang: str) -> str:
    """The three assumptions the result depends on most: the posterior parameters whose
    draws move the effect most (drivers.csv), else the parameters B sets off default."""
    drivers_file = folder / "drivers.csv"
    items = []
    if drivers_file.exists():
        drivers = _read(drivers_file)
        rows = drivers[
            (drivers["innovation"].astype(str) == ALL) & (drivers["metric"] == HEADLINE_METRIC)
        ].dropna(subset=["spearman"])
        rows = rows.reindex(rows["spearman"].abs().sort_values(ascending=False).index).head(3)
        for row in rows.itertuples():
            direction = "brief_driver_up" if row.spearman > 0 else "brief_driver_down"
            items.append(
                f"<b>{html.escape(parameter_words(row.parameter, lang))}</b> "
                f"<span class='note'>({row.parameter})</span>: "
                f"{text(direction, lang, rho=signed(row.spearman, lang, 2))}"
            )
        intro = text("brief_assumptions_drivers", lang)
    else:
        changed = changed_parameters(scenario, lang).head(3)
        for row in changed.itertuples(index=False):
            parameter, value, default = row[0], row[1], row[2]
            items.append(
                f"<b>{html.escape(parameter_words(parameter, lang))}</b> "
                f"<span class='note'>({parameter})</span>: "
                f"{text('brief_set_to', lang, value=value, default=default)}"
            )
        intro = text("brief_assumptions_changed", lang)
    listed = "".join(f"<li>{item}</li>" for item in items) or f"<li>{text('none', lang)}</li>"
    return f"<p class='note'>{intro}</p><ol>{listed}</ol>"


def _map(folder: Path, a: dict, b: dict, month: int, name, lang: str) -> str:
    named = [str(i["name"]) for i in b["scenario"]["innovations"]]
    tables = []
    for sub in ("a", "b"):
        table = _read(folder / sub / "municipalities.parquet")
        tables.append(table[table["innovation"].astype(str).isin(named)])
    run = b["scenario"]["run"]
    fig = difference_map(
        *tables,
        load_municipalities(),
        months=min(month, run["months"]),
        innovation=ALL,
        names=(a["scenario"]["name"], b["scenario"]["name"]),
        lang=lang,
        slider=False,
    )
    fig.update_layout(
        title=None,
        height=540,
        width=255,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        geo={"domain": {"x": [0, 1], "y": [0.1, 1]}},
    )
    fig.data[0].colorbar.update(
        orientation="h", y=0.0, yanchor="bottom", len=0.9, thickness=10, title_side="top"
    )
    return fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        config={"staticPlot": True, "displayModeBar": False},
    )


def _years(months: int, lang: str) -> str:
    """A run's length in years as a reader says it: 10, or 5,5."""
    return number(months / 12, lang, 0 if months % 12 == 0 else 1)


def _footer(folder: Path, manifest: dict[str, Any], runs: int, lang: str) -> str:
    """Where the numbers come from: runs, posterior, seed, commit, date, folder."""
    posterior = manifest.get("posterior") or {}
    made = text(
        "brief_footer_posterior" if posterior else "brief_footer_runs",
        lang,
        runs=number(runs, lang),
        draws=posterior.get("draws", ""),
        replications=posterior.get("replications_per_draw", ""),
    )
    finished = str((manifest.get("run_times") or {}).get("finished", ""))[:10]
    return text(
        "brief_footer",
        lang,
        made=made,
        seed=manifest.get("seed", ""),
        commit=str(manifest.get("git_commit", ""))[:12],
        date=finished,
        folder=str(folder),
    )


def build_brief(folder: Path | str, lang: str = "sv") -> str:
    """The brief's HTML (one A4 page when printed) for a comparison folder."""
    check_lang(lang)
    folder = Path(folder)
    if not ((folder / "effects.csv").exists() and (folder / "a").is_dir()):
        raise BriefError(
            f"{folder}: a brief is written from a comparison folder (effects.csv with a/ and "
            "b/, from `spridning compare`)"
        )
    a, b = _verified(folder / "a"), _verified(folder / "b")
    effects = _read(folder / "effects.csv")
    name_a, name_b = a["scenario"]["name"], b["scenario"]["name"]
    name = innovation_namer([*b["scenario"]["innovations"], *a["scenario"]["innovations"]], lang)
    named = named_innovations(b["scenario"], a["scenario"])
    rows = effects[
        (effects["metric"] == HEADLINE_METRIC)
        & effects["innovation"].astype(str).isin([*named, ALL])
    ]
    if rows.empty:
        raise BriefError(f"{folder / 'effects.csv'}: no rows for {HEADLINE_METRIC}")
    month = min(HORIZON_MONTHS, int(b["scenario"]["run"]["months"]))
    overall = rows[rows["innovation"].astype(str) == ALL]
    answer = effect_sentence(overall.iloc[0], name_a, name_b, lang) if len(overall) else ""
    start_year = b["scenario"]["run"].get("start_year")
    year = (start_year + math.ceil(month / 12) - 1) if start_year else math.ceil(month / 12)
    years = _years(month, lang)
    runs = int(rows["n"].max())
    question = text(
        "brief_question",
        lang,
        levers=_levers(b["scenario"], lang),
        count=len(rows) - len(overall),
        years=years,
        a=name_a,
    )
    parts = [
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>",
        f"<title>{html.escape(name_b)}</title><style>{STYLE}</style>",
        OFFLINE_GEO_SCRIPT,
        f"<script>{get_plotlyjs()}</script></head><body>",
        f"<h1>{html.escape(text('brief_title', lang, a=name_a, b=name_b))}</h1>",
        f"<p class='question'><b>{text('brief_question_label', lang)}</b> {question}</p>",
        f"<p class='answer'><b>{text('brief_answer_label', lang)}</b> {html.escape(answer)}</p>",
        "<div class='columns'><div class='left'>",
        f"<h2>{text('brief_per_innovation', lang, years=years)}</h2>",
        _answer_table(rows, name, lang),
        f"<h2>{text('brief_cost_heading', lang)}</h2><p>{_cost(effects, name_a, int(b['scenario']['run']['months']), lang)}</p>",
        f"<h2>{text('brief_who_gains', lang)}</h2>",
        _who_gains(folder, month, named, lang),
        f"<h2>{text('brief_assumptions', lang)}</h2>",
        _assumptions(folder, b["scenario"], lang),
        "</div><div class='right'>",
        f"<h2>{text('brief_map_heading', lang, year=year)}</h2>",
        _map(folder, a, b, month, name, lang),
        f"<p class='note'>{text('brief_map_note', lang, a=name_a, b=name_b)}</p>",
        "</div></div>",
        f"<div class='footer'>{html.escape(_footer(folder, b, runs, lang))}</div>",
        "</body></html>",
    ]
    return "\n".join(parts)


def chromium_path() -> str:
    """Debian's chromium, which prints the PDF; a clear error where it is missing."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise BriefError(
            "printing the brief needs Chromium (Debian's package `chromium`; `make browser` "
            "installs it where it may)"
        )
    return found


def print_pdf(page_html: str, out: Path) -> int:
    """Print ``page_html`` to ``out`` as A4 with headless Chromium, no network; return the
    number of pages (read back with pypdf)."""
    from playwright.sync_api import sync_playwright

    from viz.browser import CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.abort())  # nothing leaves the machine
            page.set_content(page_html, wait_until="load")
            page.wait_for_function(
                "document.querySelectorAll('.js-plotly-plot').length =="
                " document.querySelectorAll('.plotly-graph-div').length",
                timeout=60_000,
            )
            pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        finally:
            browser.close()
    atomic_write_bytes(out, pdf)
    return len(PdfReader(io.BytesIO(pdf)).pages)


def write_brief(
    folder: Path | str, out: Path | str | None = None, lang: str = "sv"
) -> tuple[Path, int]:
    """Write the brief (default ``folder/brief.pdf``); return its path and page count."""
    target = Path(out) if out else Path(folder) / "brief.pdf"
    pages = print_pdf(build_brief(folder, lang), target)
    return target, pages
