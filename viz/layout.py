"""Shared look: colours, number separators and the time axis.

Every figure gets the same template and the number format of its language, so a Swedish
report does not mix 1,234.5 and 1 234,5; colour assignment is stable so an innovation
keeps its colour from one figure to the next.
"""

from __future__ import annotations

import plotly.colors as pcolors
import plotly.graph_objects as go

from viz.words import SEPARATORS, check_lang, text

TEMPLATE = "plotly_white"
GREY = "#bdbdbd"
BAND_ALPHA = 0.2
DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
X_UNITS: tuple[str, ...] = ("years", "months")


def palette(n: int) -> list[str]:
    """``n`` distinguishable colours (repeats only beyond 24)."""
    colours = pcolors.qualitative.Plotly if n <= 10 else pcolors.qualitative.Dark24
    return [colours[k % len(colours)] for k in range(n)]


def transparent(colour: str, alpha: float = BAND_ALPHA) -> str:
    """An ``rgba()`` version of a hex or ``rgb()`` colour, for shaded bands."""
    if colour.startswith("#"):
        r, g, b = pcolors.hex_to_rgb(colour)
    else:
        r, g, b = pcolors.unlabel_rgb(colour)
    return f"rgba({int(r)}, {int(g)}, {int(b)}, {alpha})"


def check_x_unit(x_unit: str) -> str:
    """``x_unit`` if it is "years" or "months", else a ValueError naming both."""
    if x_unit not in X_UNITS:
        raise ValueError(f"x_unit must be one of {list(X_UNITS)}, got {x_unit!r}")
    return x_unit


def x_values(months, x_unit: str):
    """Months as the x axis wants them: years from start (month 12 = 1.0) or months."""
    return months / 12.0 if check_x_unit(x_unit) == "years" else months


def x_title(x_unit: str, lang: str) -> str:
    return text("x_years" if check_x_unit(x_unit) == "years" else "x_months", lang)


def finish(
    fig: go.Figure, lang: str, title: str, legend_title: str | None = None, **layout
) -> go.Figure:
    """Apply the shared template, title and number separators of ``lang``."""
    check_lang(lang)
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title},
        separators=SEPARATORS[lang],
        **layout,
    )
    if legend_title is not None:
        fig.update_layout(legend={"title": {"text": legend_title}})
    return fig
