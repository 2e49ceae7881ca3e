"""The interactive explorer behind `spridning explore`: try the policy levers in a browser.

Choose a library scenario, change its levers, run it in-process against the baseline
(same replications and seed) and see adoption, the map and the money; a second tab
shows an analysed sweep. Callbacks stay thin: the form logic is in ``viz.app_inputs``,
runs and their cache in ``viz.app_runs``, figures in ``viz.app_figures`` and
``viz.app_sweep``, the page in ``viz.app_layout``, serving in ``viz.app_server``. A bad
value, a failed run or a busy server shows a short message in the page (id "message");
what went wrong inside goes to the server's log, never to the page.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dash
import flask
from dash import Input, Output, State, dcc, html

from viz.app_figures import (
    adoption_figure,
    clicked_municipality,
    map_figure,
    map_story,
    namer,
    placeholder,
    sankey_figure,
    spending_figure,
    summary,
)
from viz.app_inputs import (
    FIELDS,
    FORM_KEYS,
    LEVERS,
    InputError,
    build_scenario,
    component_id,
    form_values,
    is_modified,
    library,
    library_scenario,
    parse_form,
)
from viz.app_layout import (
    ALL_INNOVATIONS,
    GRAPH_CONFIG,
    MESSAGE_STYLE,
    RUN_STYLE,
    RUN_STYLE_BUSY,
    all_option,
    page,
)
from viz.app_runs import Busy, Comparison, RunCache
from viz.app_server import limit_requests, serve_wsgi
from viz.app_sweep import SweepUnavailable, sweep_items, sweep_state
from viz.checks import innovations_in
from viz.geography import EMPTY_TOPOLOGY
from viz.words import check_lang, text

DEFAULT_SCENARIO = "programme"
DEFAULT_REPLICATIONS = 4
DEFAULT_SEED = 1
ALL = ALL_INNOVATIONS  # the curve dropdown's "all innovations"


HIDDEN = {"display": "none"}
TOPOJSON_ROUTE = "/_spridning/topojson/"

PROBLEM_CHARS = 300  # a refused value is quoted in the message up to this length

log = logging.getLogger(__name__)


def problems_message(error: InputError, lang: str) -> str:
    """The text the page shows for refused input: one line per problem."""
    lines = (p if len(p) <= PROBLEM_CHARS else p[: PROBLEM_CHARS - 1] + "…" for p in error.problems)
    return f"{text('invalid', lang)}:\n" + "\n".join(f"• {line}" for line in lines)


def run_request(
    cache: RunCache, scenario: Any, values: dict[str, Any], lang: str
) -> tuple[Comparison | None, str]:
    """Check the form, run scenario and baseline; (comparison, "") or (None, message)."""
    try:
        request = parse_form(scenario, values, lang)
        resolved = build_scenario(request, lang)
    except InputError as error:
        return None, problems_message(error, lang)
    try:
        name = resolved.name
        if is_modified(resolved, request.scenario):
            name = f"{name} ({text('modified', lang)})"
        comparison = cache.compare(
            resolved, name, request.replications, request.seed, request.posterior
        )
        return comparison, ""
    except Busy:
        return None, text("busy", lang)
    except Exception:  # a run that fails must not take the page down; the log says why
        log.exception("explorer run failed")
        return None, text("run_failed", lang)


def _safe(fallback: Callable[[str], Any], lang: str) -> Callable:
    """Turn an exception in a figure callback into ``fallback(message)``."""

    def decorate(function: Callable) -> Callable:
        @functools.wraps(function)
        def wrapper(*args: Any) -> Any:
            try:
                return function(*args)
            except Exception:  # the log says why; the page only that it failed
                log.exception("explorer figure failed")
                return fallback(text("figure_failed", lang))

        return wrapper

    return decorate


def _register_form(app: dash.Dash) -> None:
    @app.callback(
        [Output(f.id, "value") for f in FIELDS]
        + [Output(f"lever-{lever}", "open") for lever in LEVERS],
        Input("scenario", "value"),
        prevent_initial_call=True,
    )
    def prefill(name: str) -> list[Any]:
        """The chosen scenario's levers into the form; the groups of levers that are on open."""
        if name not in library():
            return [dash.no_update] * (len(FIELDS) + len(LEVERS))
        values = form_values(library_scenario(name))
        opened = [bool(values[f"{lever}.enabled"]) for lever in LEVERS]
        return [values[f.name] for f in FIELDS] + opened


def _register_run(app: dash.Dash, cache: RunCache, lang: str) -> None:
    @app.callback(
        Output("run-store", "data"),
        Output("message", "children"),
        Output("message", "style"),
        Input("run-button", "n_clicks"),
        State("scenario", "value"),
        [State(component_id(key), "value") for key in FORM_KEYS],
        running=[
            (Output("run-button", "disabled"), True, False),
            (Output("run-button", "children"), text("running", lang), text("run", lang)),
            (Output("run-button", "style"), RUN_STYLE_BUSY, RUN_STYLE),
        ],
    )
    def run(clicks: int | None, scenario: Any, *values: Any) -> tuple:
        comparison, message = run_request(
            cache, scenario, dict(zip(FORM_KEYS, values, strict=True)), lang
        )
        if comparison is None:
            return dash.no_update, message, MESSAGE_STYLE
        return {"key": comparison.key, "clicks": clicks}, "", HIDDEN


def _comparison(cache: RunCache, store: dict | None) -> Comparison | None:
    return cache.get(store.get("key")) if isinstance(store, dict) else None


def _register_results(app: dash.Dash, cache: RunCache, lang: str, boundaries: Path | None) -> None:
    waiting = text("press_run", lang)

    # The curves come first: the summary, the map and the money wait for "curves-drawn", so
    # on a 2-core server their work does not delay the figure the analyst waits for.
    @app.callback(
        Output("summary", "children"), Input("curves-drawn", "data"), State("run-store", "data")
    )
    @_safe(lambda message: html.P(message), lang)
    def show_summary(drawn: Any, store: dict | None) -> Any:
        comparison = _comparison(cache, store)
        if comparison is None:
            return html.P(waiting)
        result = summary(comparison, lang)
        cell = {"padding": "2px 10px", "textAlign": "right"}
        table = html.Table(
            [
                html.Thead(html.Tr([html.Th(h, style=cell) for h in result.header])),
                html.Tbody([html.Tr([html.Td(v, style=cell) for v in row]) for row in result.rows]),
            ],
            style={"borderCollapse": "collapse", "fontSize": "13px", "margin": "4px 0"},
        )
        return [*(html.P(line, style={"margin": "2px 0"}) for line in result.lines), table]

    # The curves' dropdown value is the reader's alone (an innovation the run lacks draws
    # all): setting it here would make the curves wait for this callback, or loop.
    @app.callback(
        Output("curve-innovation", "options"),
        Output("map-innovation", "options"),
        Output("map-innovation", "value"),
        Input("run-store", "data"),
        State("map-innovation", "value"),
    )
    def innovation_choices(store: dict | None, mapped: str | None) -> tuple:
        comparison = _comparison(cache, store)
        if comparison is None:
            return [all_option(lang)], [], None
        names = innovations_in(comparison.results.timeseries)
        name = namer(comparison, lang)
        options = [{"label": name(n), "value": n} for n in names]
        return [all_option(lang), *options], options, mapped if mapped in names else names[0]

    @app.callback(
        Output("adoption-graph", "figure"),
        Output("curves-drawn", "data"),
        Input("run-store", "data"),
        Input("curve-innovation", "value"),
    )
    @_safe(lambda message: (placeholder(message), {"failed": message}), lang)
    def adoption(store: dict | None, innovation: str | None) -> Any:
        comparison = _comparison(cache, store)
        drawn = store if dash.ctx.triggered_id == "run-store" else dash.no_update
        if comparison is None:
            return placeholder(waiting), drawn
        chosen = innovation if innovation in innovations_in(comparison.results.timeseries) else None
        return adoption_figure(comparison, chosen, lang), drawn

    @app.callback(
        Output("map-graph", "figure"),
        Input("curves-drawn", "data"),
        Input("map-innovation", "value"),
        State("run-store", "data"),
    )
    @_safe(placeholder, lang)
    def adoption_on_map(drawn: Any, innovation: str | None, store: dict | None) -> Any:
        comparison = _comparison(cache, store)
        if comparison is None or not innovation:
            return placeholder(waiting)
        return map_figure(comparison, innovation, lang, boundaries)

    @app.callback(
        Output("map-story", "children"),
        Input("map-graph", "clickData"),
        Input("curves-drawn", "data"),
        Input("map-innovation", "value"),
        State("run-store", "data"),
        prevent_initial_call=True,
    )
    @_safe(lambda message: html.P(message), lang)
    def story_on_click(click: dict | None, drawn: Any, innovation: str | None, store: Any) -> Any:
        """A clicked municipality's story; a new run or innovation clears the old one."""
        comparison = _comparison(cache, store)
        code = clicked_municipality(click)
        clicked = dash.ctx.triggered_id == "map-graph"
        if comparison is None or code is None or not innovation or not clicked:
            return html.P(text("story_hint", lang))
        lines = map_story(comparison, cache.story_tables(comparison), code, innovation, lang)
        return [html.P(line, style={"margin": "2px 0"}) for line in lines]

    @app.callback(
        Output("sankey-graph", "figure"),
        Output("spending-graph", "figure"),
        Input("curves-drawn", "data"),
        State("run-store", "data"),
    )
    @_safe(lambda message: (placeholder(message), placeholder(message)), lang)
    def money(drawn: Any, store: dict | None) -> Any:
        comparison = _comparison(cache, store)
        if comparison is None:
            return placeholder(waiting), placeholder(waiting)
        return sankey_figure(comparison, lang), spending_figure(comparison, lang)


def _register_sweep(app: dash.Dash, results: Path | None, lang: str) -> None:
    @app.callback(
        Output("sweep-figures", "children"),
        Input("sweep-outcome", "value"),
        Input("sweep-innovation", "value"),
        Input("sweep-x", "value"),
        Input("sweep-y", "value"),
    )
    @_safe(lambda message: html.P(message, className="sweep-error"), lang)
    def sweep(outcome: str, innovation: str, x: str | None, y: str | None) -> list:
        tables = sweep_state(results, lang)
        if isinstance(tables, SweepUnavailable):
            return [html.P(str(tables))]
        items = sweep_items(tables, outcome, innovation, x or None, y or None, lang)
        return [
            html.P(item)
            if isinstance(item, str)
            else dcc.Graph(figure=item, config={"displaylogo": False})
            for item in items
        ]


def _register_topojson(app: dash.Dash) -> str:
    """Serve an empty base map for Plotly's geo figures; returns its URL prefix.

    plotly.js fetches a topojson base map from cdn.plot.ly for every geo figure and draws
    nothing at all when that fails (offline, or a network that blocks the CDN). The map
    needs no base layers: the municipalities themselves draw Sweden.
    """

    @app.server.route(f"{TOPOJSON_ROUTE}<name>")
    def topojson(name: str) -> Any:
        return flask.jsonify(EMPTY_TOPOLOGY)

    return app.get_relative_path(TOPOJSON_ROUTE)


def create_app(
    results: Path | None = None,
    lang: str = "sv",
    boundaries: Path | None = None,
    cache: RunCache | None = None,
) -> dash.Dash:
    """The explorer as a Dash app.

    ``results``: an analysed sweep folder for the second tab. ``boundaries``: a GeoJSON
    file of municipality polygons for the map (markers at map points without it).
    ``cache``: the runs' cache and its bounds (default: ``RunCache()``).
    """
    check_lang(lang)
    results = Path(results) if results is not None else None
    boundaries = Path(boundaries) if boundaries is not None else None
    cache = cache or RunCache()
    app = dash.Dash(
        __name__,
        title=text("page_title", lang),
        update_title=None,
        suppress_callback_exceptions=True,
    )
    limit_requests(app.server)
    start = library_scenario(DEFAULT_SCENARIO)
    map_config = {**GRAPH_CONFIG, "topojsonURL": _register_topojson(app)}

    def layout() -> html.Div:  # a function: the sweep tab is re-read on every page load
        return page(
            lang,
            names=library(),
            chosen=DEFAULT_SCENARIO,
            values=form_values(start),
            sweep=sweep_state(results, lang),
            waiting=placeholder(text("press_run", lang)),
            replications=DEFAULT_REPLICATIONS,
            seed=DEFAULT_SEED,
            map_config=map_config,
        )

    app.layout = layout
    _register_form(app)
    _register_run(app, cache, lang)
    _register_results(app, cache, lang, boundaries)
    _register_sweep(app, results, lang)
    return app


def serve(
    host: str = "127.0.0.1",
    port: int = 8050,
    results: Path | None = None,
    lang: str = "sv",
    boundaries: Path | None = None,
) -> None:
    """Serve the explorer with waitress (localhost by default; no debugger in the page)."""
    serve_wsgi(create_app(results, lang, boundaries).server, host, port)
