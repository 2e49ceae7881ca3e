"""The explorer's page: controls on the left (Run always in view), results on the right.

Only components and inline styles here (the package ships no CSS assets); the
callbacks in ``viz.app`` fill the results. Every control's id is its parameter's
register name, as ``{"section": ..., "field": ...}`` (``viz.app_inputs``); how each is drawn (slider, typed
number and its step) comes from the parameter's ``explorer`` control in the register.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from model.params import ALLOCATION
from viz.app_inputs import FIELDS, LEVERS, MAX_REPLICATIONS, ON, FormField, counties, dom_id
from viz.app_sweep import SweepTables, SweepUnavailable, innovations, outcome_label, outcomes
from viz.words import text

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
CONTROLS_WIDTH = "340px"
GRAPH_CONFIG = {"displaylogo": False}
RUN_STYLE = {
    "width": "100%",
    "margin": "10px 0 4px",
    "padding": "8px",
    "fontSize": "16px",
    "fontWeight": 600,
    "background": "#1f5fa8",
    "color": "white",
    "border": "none",
    "borderRadius": "6px",
    "cursor": "pointer",
}
RUN_STYLE_BUSY = {**RUN_STYLE, "background": "#7f8ea3", "cursor": "wait"}
MESSAGE_STYLE = {
    "color": "#8a1c1c",
    "background": "#fdecea",
    "border": "1px solid #f5c2c0",
    "borderRadius": "4px",
    "padding": "6px 8px",
    "margin": "8px 0",
    "whiteSpace": "pre-wrap",
    "fontSize": "14px",
}


ALL_INNOVATIONS = "*"  # the curve dropdown's "all innovations" (no innovation name can be "*")


def all_option(lang: str) -> dict[str, str]:
    """The curve dropdown's first option: all innovations."""
    return {"label": text("all_innovations", lang), "value": ALL_INNOVATIONS}


def _choice_label(field: FormField, choice: str, lang: str) -> str:
    return text(f"{field.name}.{choice}", lang)


def control(field: FormField, value: Any, lang: str) -> Any:
    """The input component for one form field."""
    shown_as = field.parameter.explorer
    if field.kind == "switch":
        return dcc.Checklist(
            id=field.id, options=[{"label": " " + text(field.name, lang), "value": ON}], value=value
        )
    if shown_as is not None and shown_as.slider:
        low, high = field.parameter.allowed
        step = shown_as.step
        marks = {low: f"{low:g}", (low + high) / 2: f"{(low + high) / 2:g}", high: f"{high:g}"}
        return dcc.Slider(
            id=field.id,
            min=low,
            max=high,
            step=step,
            value=value,
            marks=marks,
            tooltip={"placement": "bottom", "always_visible": False},
        )
    if field.kind in ("int", "float"):
        step = (shown_as and shown_as.step) or (1 if field.kind == "int" else 0.05)
        return dcc.Input(
            id=field.id, type="number", value=value, step=step, style={"width": "130px"}
        )
    if field.kind == "choice":
        options = [
            {"label": " " + _choice_label(field, c, lang), "value": c} for c in field.choices
        ]
        return dcc.RadioItems(id=field.id, options=options, value=value)
    options = [{"label": name, "value": code} for code, name in counties().items()]
    return dcc.Dropdown(
        id=field.id,
        options=options,
        value=value,
        multi=True,
        placeholder=text("choose_counties", lang),
    )


def _row(field: FormField, value: Any, lang: str) -> html.Div:
    if field.kind == "switch":
        return html.Div(control(field, value, lang), style={"margin": "4px 0 8px"})
    slider = field.parameter.explorer is not None and field.parameter.explorer.slider
    inline = field.kind in ("int", "float") and not slider
    return html.Div(
        [
            html.Label(
                text(field.name, lang), htmlFor=dom_id(field.id), style={"fontSize": "14px"}
            ),
            control(field, value, lang),
        ],
        style={
            "display": "flex" if inline else "block",
            "justifyContent": "space-between",
            "alignItems": "center",
            "gap": "8px",
            "margin": "4px 0",
        },
    )


def _fieldset(lever: str, legend: str, children: list, open_: bool) -> html.Details:
    return html.Details(
        [html.Summary(legend, style={"fontWeight": 600, "cursor": "pointer"}), *children],
        id=f"lever-{lever}",
        open=open_,
        style={
            "border": "1px solid #ddd",
            "borderRadius": "6px",
            "padding": "6px 10px",
            "margin": "8px 0",
        },
    )


def levers(values: dict[str, Any], lang: str) -> list[html.Details]:
    """One collapsible group per policy lever; open when the lever is on."""
    groups = []
    for lever in LEVERS:
        fields = [f for f in FIELDS if f.parameter.section == lever]
        rows = [_row(f, values[f.name], lang) for f in fields]
        shares = [i for i, f in enumerate(fields) if f.name in ALLOCATION]
        if shares:
            hint = html.Div(text("shares_hint", lang), style={"fontSize": "12px", "color": "#555"})
            rows.insert(shares[0], hint)
        groups.append(
            _fieldset(lever, text(f"lever_{lever}", lang), rows, bool(values[f"{lever}.enabled"]))
        )
    return groups


def posterior_toggle(lang: str) -> html.Div:
    """Whether replications take their parameters from the shipped posterior (the band
    then covers the parameters' uncertainty too); off and explained when none is shipped."""
    from experiments.posterior import PosteriorError, load_posterior

    try:
        load_posterior("default")
        available, note = True, text("posterior_note", lang)
    except (PosteriorError, OSError, ValueError):
        available, note = False, text("posterior_missing", lang)
    return html.Div(
        [
            dcc.Checklist(
                id="posterior",
                options=[
                    {
                        "label": text("posterior_toggle", lang),
                        "value": ON,
                        "disabled": not available,
                    }
                ],
                value=[],
                style={"fontSize": "14px"},
            ),
            html.P(note, style={"fontSize": "12px", "color": "#555", "margin": "2px 0"}),
        ]
    )


def run_settings(lang: str, replications: int, seed: int) -> html.Div:
    """Replications (slider), seed and the posterior toggle, next to the Run button."""
    marks = {n: str(n) for n in (1, 4, 8, 12, 16)}
    return html.Div(
        [
            html.Label(
                text("replications", lang), htmlFor="replications", style={"fontSize": "14px"}
            ),
            dcc.Slider(
                id="replications",
                min=1,
                max=MAX_REPLICATIONS,
                step=1,
                value=replications,
                marks=marks,
            ),
            html.Div(
                [
                    html.Label(text("seed", lang), htmlFor="seed", style={"fontSize": "14px"}),
                    dcc.Input(
                        id="seed", type="number", value=seed, step=1, style={"width": "130px"}
                    ),
                ],
                style={
                    "display": "flex",
                    "justifyContent": "space-between",
                    "alignItems": "center",
                },
            ),
            posterior_toggle(lang),
        ]
    )


def controls(
    names: list[str], chosen: str, values: dict[str, Any], lang: str, replications: int, seed: int
) -> html.Div:
    """The left column: scenario, Run, the message, run settings and the levers."""
    return html.Div(
        [
            html.Label(text("scenario", lang), htmlFor="scenario", style={"fontWeight": 600}),
            dcc.Dropdown(id="scenario", options=names, value=chosen, clearable=False),
            html.Button(
                text("run", lang),
                id="run-button",
                n_clicks=0,
                style=RUN_STYLE,
            ),
            html.Div(id="message", role="alert", style={"display": "none"}),
            run_settings(lang, replications, seed),
            *levers(values, lang),
        ],
        style={
            "width": CONTROLS_WIDTH,
            "flex": f"0 0 {CONTROLS_WIDTH}",
            "position": "sticky",
            "top": "0",
            "alignSelf": "flex-start",
            "maxHeight": "100vh",
            "overflowY": "auto",
            "padding": "8px 12px 8px 4px",
            "boxSizing": "border-box",
        },
    )


def _labelled(label: str, component: Any) -> html.Div:
    return html.Div(
        [
            html.Label(
                label, htmlFor=component.id, style={"fontSize": "14px", "marginRight": "8px"}
            ),
            component,
        ],
        style={"display": "flex", "alignItems": "center", "gap": "4px", "margin": "4px 0"},
    )


def results(lang: str, waiting: Any, map_config: dict) -> html.Div:
    """The right column: summary, adoption curves, the map and the money."""
    dropdown = {"clearable": False, "style": {"minWidth": "280px"}}
    return html.Div(
        [
            dcc.Loading(
                [
                    dcc.Store(id="run-store"),
                    dcc.Store(id="curves-drawn"),
                    html.Div(id="summary", style={"minHeight": "48px"}),
                ],
                type="dot",
            ),
            _labelled(
                text("curves_innovation", lang),
                dcc.Dropdown(
                    id="curve-innovation",
                    options=[all_option(lang)],
                    value=ALL_INNOVATIONS,
                    **dropdown,
                ),
            ),
            dcc.Graph(id="adoption-graph", figure=waiting, config=GRAPH_CONFIG),
            html.Div(
                [
                    html.Div(
                        [
                            _labelled(
                                text("map_innovation", lang),
                                dcc.Dropdown(
                                    id="map-innovation", options=[], value=None, **dropdown
                                ),
                            ),
                            dcc.Graph(id="map-graph", figure=waiting, config=map_config),
                            html.Div(
                                html.P(text("story_hint", lang), className="note"),
                                id="map-story",
                                style={
                                    "fontSize": "13px",
                                    "maxHeight": "320px",
                                    "overflowY": "auto",
                                },
                            ),
                        ],
                        style={"flex": "1 1 460px", "minWidth": "0"},
                    ),
                    html.Div(
                        dcc.Graph(id="spending-graph", figure=waiting, config=GRAPH_CONFIG),
                        style={"flex": "1 1 460px", "minWidth": "0", "paddingTop": "44px"},
                    ),
                ],
                style={"display": "flex", "flexWrap": "wrap", "gap": "12px"},
            ),
            # full width: the Sankey's middle and right labels collide in half a page
            dcc.Graph(id="sankey-graph", figure=waiting, config=GRAPH_CONFIG),
        ],
        style={"flex": "1 1 auto", "minWidth": "0"},
    )


def sweep_tab(sweep: SweepTables | SweepUnavailable, lang: str) -> html.Div:
    """The sweep tab: choices and a figure area, or a sentence saying why there is none."""
    if isinstance(sweep, SweepUnavailable):
        return html.Div(html.P(str(sweep), id="sweep-message"), style={"padding": "16px"})
    names = outcomes(sweep)
    parameters = sweep.parameters
    header = text(
        "sweep_header",
        lang,
        name=sweep.name,
        design=sweep.design,
        points=sweep.points if sweep.points is not None else "?",
        path=sweep.folder,
    )
    dropdown = {"clearable": False, "style": {"minWidth": "260px"}}
    choices = [
        _labelled(
            text("outcome", lang),
            dcc.Dropdown(
                id="sweep-outcome",
                options=[{"label": outcome_label(n, lang), "value": n} for n in names],
                value=names[0],
                **dropdown,
            ),
        ),
        _labelled(
            text("innovation", lang),
            dcc.Dropdown(
                id="sweep-innovation",
                options=innovations(sweep),
                value=innovations(sweep)[0],
                **dropdown,
            ),
        ),
    ]
    y_options = [{"label": text("none", lang), "value": ""}, *parameters]
    axes = [
        _labelled(
            text("x_parameter", lang),
            dcc.Dropdown(
                id="sweep-x",
                options=parameters,
                value=parameters[0] if parameters else None,
                **dropdown,
            ),
        ),
        _labelled(
            text("y_parameter", lang),
            dcc.Dropdown(
                id="sweep-y",
                options=y_options,
                value=parameters[1] if len(parameters) > 1 else "",
                **dropdown,
            ),
        ),
    ]
    choices.append(
        html.Div(
            axes,
            style={
                "display": "flex" if parameters and sweep.design == "grid" else "none",
                "flexWrap": "wrap",
                "gap": "4px 24px",
            },
        )
    )
    return html.Div(
        [
            html.P(header, id="sweep-header"),
            html.Div(choices, style={"display": "flex", "flexWrap": "wrap", "gap": "4px 24px"}),
            dcc.Loading(html.Div(id="sweep-figures"), type="dot"),
        ],
        style={"padding": "12px"},
    )


def page(
    lang: str,
    names: list[str],
    chosen: str,
    values: dict[str, Any],
    sweep: SweepTables | SweepUnavailable,
    waiting: Any,
    replications: int,
    seed: int,
    map_config: dict,
) -> html.Div:
    """The whole page: title, and the two tabs."""
    scenario_tab = html.Div(
        [
            controls(names, chosen, values, lang, replications, seed),
            results(lang, waiting, map_config),
        ],
        style={"display": "flex", "gap": "16px", "alignItems": "flex-start", "paddingTop": "8px"},
    )
    return html.Div(
        [
            html.H1(text("page_title", lang), style={"fontSize": "22px", "margin": "8px 0 2px"}),
            html.P(text("page_subtitle", lang), style={"margin": "0 0 8px", "color": "#444"}),
            dcc.Tabs(
                id="tabs",
                value="run",
                children=[
                    dcc.Tab(label=text("tab_run", lang), value="run", children=scenario_tab),
                    dcc.Tab(
                        label=text("tab_sweep", lang),
                        value="sweep",
                        children=sweep_tab(sweep, lang),
                    ),
                ],
            ),
        ],
        style={"fontFamily": FONT, "padding": "0 16px", "maxWidth": "1800px", "margin": "0 auto"},
    )
