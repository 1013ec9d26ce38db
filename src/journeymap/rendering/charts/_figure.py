"""What every chart is and how it is written: an Altair chart (Vega-Lite) for the standard
charts, an :class:`SvgFigure` for the two graph pictures Vega-Lite cannot lay out (the process
map and the Sankey), and :func:`chart_bytes` / :func:`save_chart` to turn either into SVG, PNG,
PDF or a self-contained HTML file.

Vega-Lite specs are converted by ``vl-convert-python`` (no browser, no network): its HTML
bundles the Vega JavaScript (``bundle=True``) so the file opens offline. Altair and vl-convert
are imported only when a chart is drawn or written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, get_args
from xml.sax.saxutils import escape

from journeymap.errors import RenderError, UsageError

if TYPE_CHECKING:
    import altair as alt

__all__ = [
    "CHART_FORMATS",
    "ChartFormat",
    "Figure",
    "SvgFigure",
    "altair",
    "chart_bytes",
    "chart_format",
    "rows_of",
    "save_chart",
    "style",
]

ChartFormat = Literal["svg", "png", "pdf", "html"]
CHART_FORMATS: tuple[ChartFormat, ...] = get_args(ChartFormat)

#: the palette of the charts: the map's navy and blue, its RdYlBu emotion scale
INK = "#1f2933"
MUTED = "#5b6777"
BLUE = "#2f6db3"
NAVY = "#27374d"
GREY = "#9aa5b1"
NEGATIVE = "#d73027"
POSITIVE = "#4575b4"
FONT = "Liberation Sans"


@dataclass(frozen=True)
class SvgFigure:
    """A picture drawn as SVG by journeymap itself (the process map, the Sankey); a notebook
    shows it (``_repr_svg_``)."""

    svg: str
    title: str

    def _repr_svg_(self) -> str:
        return self.svg

    def save(self, path: str | Path) -> Path:
        """Write it; the format follows the suffix (.svg, .png, .pdf, .html)."""
        return save_chart(self, path)


if TYPE_CHECKING:
    Figure: TypeAlias = alt.TopLevelMixin | SvgFigure
else:
    Figure = Any


def altair() -> Any:
    """Altair, or a clear error saying what to install."""
    try:
        import altair as alt
    except ImportError:  # pragma: no cover - a declared dependency
        raise RenderError("charts need Altair; run: pip install altair") from None
    return alt


def rows_of(table: Any) -> list[dict[str, Any]]:
    """An Arrow table's rows as JSON-ready dicts for a Vega-Lite data block (dates as ISO
    text, non-finite numbers as null, lists as text)."""
    import math
    from datetime import date, datetime, timedelta

    def plain(v: Any) -> Any:
        if isinstance(v, datetime | date):
            return v.isoformat()
        if isinstance(v, timedelta):
            return v.total_seconds()
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, list):
            return " > ".join(str(x) for x in v)
        return v

    return [{k: plain(v) for k, v in row.items()} for row in table.to_pylist()]


def style(chart: Any, *, title: str, subtitle: str | None = None) -> Any:
    """The house look of every Altair chart: a title (and subtitle) at the left, the map's
    font, readable axis labels, no frame."""
    alt = altair()
    head = alt.TitleParams(
        title, subtitle=subtitle or "", anchor="start", fontSize=15, subtitleFontSize=12,
        subtitleColor=MUTED, color=INK, offset=10,
    )  # fmt: skip
    return (
        chart.properties(title=head)
        .configure(font=FONT)
        .configure_view(stroke=None)
        .configure_axis(
            labelFontSize=12,
            titleFontSize=12,
            labelColor=INK,
            titleColor=MUTED,
            labelLimit=320,
            gridColor="#e3e8ee",
            domainColor="#aab4c0",
            tickColor="#aab4c0",
        )
        .configure_legend(labelFontSize=12, titleFontSize=12, labelLimit=320)
    )


def chart_format(path: str | Path) -> ChartFormat | None:
    """The chart format a file name asks for (``.svg``, ``.png``, ``.pdf``, ``.html``/``.htm``),
    or ``None`` for another suffix."""
    suffix = Path(path).suffix.lower().lstrip(".")
    suffix = "html" if suffix == "htm" else suffix
    return suffix if suffix in CHART_FORMATS else None


def _html_page(title: str, svg: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        "<style>body{margin:24px;font-family:'Liberation Sans',Arial,sans-serif}"
        "svg{max-width:none}</style>\n</head>\n<body>\n"
        f"{svg}</body>\n</html>\n"
    )


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def chart_bytes(figure: Figure, fmt: ChartFormat, *, scale: float = 2.0) -> bytes:
    """The chart as ``fmt``: SVG, PNG (``scale`` pixels per chart pixel), PDF, or one HTML
    file that works offline (Vega's JavaScript bundled in, no CDN)."""
    if fmt not in CHART_FORMATS:
        raise UsageError(f"unknown chart format {fmt!r}; expected one of: svg, png, pdf, html")
    if isinstance(figure, SvgFigure):
        if fmt == "svg":
            return figure.svg.encode("utf-8")
        if fmt == "html":
            return _html_page(figure.title, figure.svg).encode("utf-8")
        from journeymap.rendering.raster import svg_to_pdf, svg_to_png

        return svg_to_png(figure.svg, scale=scale) if fmt == "png" else svg_to_pdf(figure.svg)
    import vl_convert as vlc

    spec = figure.to_dict()
    try:
        if fmt == "svg":
            return str(vlc.vegalite_to_svg(spec)).encode("utf-8")
        if fmt == "png":
            return bytes(vlc.vegalite_to_png(spec, scale=scale))
        if fmt == "pdf":
            return bytes(vlc.vegalite_to_pdf(spec))
        return str(vlc.vegalite_to_html(spec, bundle=True)).encode("utf-8")
    except ValueError as exc:  # vl-convert's errors are ValueErrors with a Rust backtrace
        raise RenderError(f"could not draw the chart as {fmt}: {_first_line(exc)}") from None


def save_chart(figure: Figure, path: str | Path, *, scale: float = 2.0) -> Path:
    """Write the chart atomically; the format follows the suffix (.svg, .png, .pdf, .html)."""
    from journeymap._atomic import atomic_write_bytes

    out = Path(path)
    fmt = chart_format(out)
    if fmt is None:
        given = out.suffix or "no suffix"
        raise UsageError(f"{out}: a chart is written as .svg, .png, .pdf or .html, not {given}")
    atomic_write_bytes(out, chart_bytes(figure, fmt, scale=scale))
    return out
