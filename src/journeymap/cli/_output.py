"""Where a result table goes: the terminal (a rich table), CSV, JSON or Parquet, or its chart
(SVG, PNG, PDF, HTML: :mod:`journeymap.rendering.charts`); the shared
``--format``/``-o``/``--limit`` options and the spinner of the ``events`` and ``feedback``
commands."""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
import json
import math
import re
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.table import Table
from rich.text import Text

from journeymap import _numbers as nb
from journeymap.cli._common import stderr, stdout
from journeymap.errors import UsageError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "CHART_COMMANDS",
    "OUT",
    "OutFormat",
    "OutputOptions",
    "busy",
    "chart_of",
    "emit",
    "format_of",
    "inert",
    "no_chart",
    "output_options",
    "print_table",
    "vertical",
    "with_options",
    "write_chart",
    "write_table",
]

OutFormat = Literal["table", "csv", "json", "parquet"]

_OUTPUT = "Output"


@dataclass(frozen=True)
class OutputOptions:
    """Where and how a result table goes."""

    format: OutFormat | None = None
    output: Path | None = None
    limit: int = 20

    def __post_init__(self) -> None:
        """A suffix that is neither a table's nor a chart's is refused before any work."""
        if chart_of(self) is None:
            format_of(self)


def output_options(
    format: Annotated[
        OutFormat | None,
        typer.Option(
            "--format",
            help="table (the terminal), csv, json or parquet (default: from the suffix of -o, "
            "else table).",
            rich_help_panel=_OUTPUT,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the result to FILE: .csv, .json or .parquet for the table; .svg, .png, "
            ".pdf or .html for its chart (csv and json go to stdout without -o).",
            rich_help_panel=_OUTPUT,
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            "-n",
            help="Rows shown in the terminal table (0: all); files get every row.",
            rich_help_panel=_OUTPUT,
        ),
    ] = 20,
) -> None:
    """The signature of the shared output options (never called)."""


def with_options(
    *groups: tuple[type[Any], Callable[..., None], str],
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Add each group's options to a command's signature; the command receives them as one
    dataclass in its keyword argument of the given name."""

    def decorate(func: Callable[..., None]) -> Callable[..., None]:
        own = inspect.signature(func, eval_str=True)
        params = [p for p in own.parameters.values() if p.name not in {g[2] for g in groups}]
        names: list[tuple[type[Any], list[str], str]] = []
        for cls, template, arg in groups:
            extra = list(inspect.signature(template, eval_str=True).parameters.values())
            params += [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in extra]
            names.append((cls, [p.name for p in extra], arg))
        positional = [p for p in params if p.kind != inspect.Parameter.KEYWORD_ONLY]
        keyword = [p for p in params if p.kind == inspect.Parameter.KEYWORD_ONLY]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> None:
            for cls, fields, arg in names:
                kwargs[arg] = cls(**{f: kwargs.pop(f) for f in fields if f in kwargs})
            func(*args, **kwargs)

        wrapper.__signature__ = own.replace(  # type: ignore[attr-defined]
            parameters=positional + keyword
        )
        wrapper.__annotations__ = {p.name: p.annotation for p in positional + keyword}
        return wrapper

    return decorate


@contextlib.contextmanager
def busy(message: str) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr while work is under way (only on a terminal); yields an updater."""
    err = stderr()
    if not err.is_terminal:
        yield lambda _stage: None
        return
    with err.status(message) as status:
        yield lambda stage: status.update(f"{stage}…")


#: the commands that draw a chart with ``-o FILE.svg|png|pdf|html``, for the message of the
#: others
CHART_COMMANDS = (
    "events flows, paths, funnel, retention; feedback scores, sentiment, themes, drivers"
)
_CHART_SUFFIXES = (".svg", ".png", ".pdf", ".html", ".htm")


def chart_of(out: OutputOptions) -> Literal["svg", "png", "pdf", "html"] | None:
    """The chart format ``-o`` asks for (``.svg``, ``.png``, ``.pdf``, ``.html``), or ``None``
    for a table. ``--format`` with a chart suffix is a contradiction, refused."""
    if out.output is None or out.output.suffix.lower() not in _CHART_SUFFIXES:
        return None
    if out.format is not None:
        raise UsageError(
            f"{out.output}: a .svg/.png/.pdf/.html file is a chart; --format {out.format} asks "
            "for a table (leave --format out, or write .csv/.json/.parquet)"
        )
    suffix = out.output.suffix.lower().lstrip(".")
    return "html" if suffix == "htm" else typing.cast(Literal["svg", "png", "pdf"], suffix)


def no_chart(out: OutputOptions, command: str) -> None:
    """Refuse ``-o FILE.png`` (or .svg, .pdf, .html) for a command that draws no chart."""
    if chart_of(out) is not None:
        assert out.output is not None
        raise UsageError(
            f"{out.output}: {command} draws no chart; write its table as .csv, .json or "
            f".parquet. The commands that draw charts: {CHART_COMMANDS}"
        )


def format_of(out: OutputOptions) -> OutFormat:
    if out.format is not None:
        if out.format == "parquet" and out.output is None:
            raise UsageError("--format parquet needs a file: -o FILE.parquet")
        return out.format
    if out.output is None:
        return "table"
    suffix = out.output.suffix.lower().lstrip(".")
    if suffix in ("csv", "json", "parquet"):
        return typing.cast(OutFormat, suffix)
    if suffix == "pq":
        return "parquet"
    raise UsageError(
        f"{out.output}: cannot tell the format from the suffix; use .csv, .json or .parquet "
        "for the table, .svg, .png, .pdf or .html for a chart, or say --format"
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


def write_table(table: pa.Table, fmt: OutFormat, path: Path | None) -> None:
    import pyarrow as pa

    from journeymap._atomic import atomic_write_bytes
    from journeymap.cli._common import write_text_or_stdout

    if fmt == "parquet":
        import pyarrow.parquet as pq

        buffer = pa.BufferOutputStream()
        pq.write_table(table, buffer)
        assert path is not None
        atomic_write_bytes(path, buffer.getvalue().to_pybytes())
    elif fmt == "json":
        rows = [{k: _jsonable(v) for k, v in row.items()} for row in table.to_pylist()]
        write_text_or_stdout(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", path)
    else:
        import pyarrow.csv as pcsv

        from journeymap._arrow import texts as as_texts

        # lists (a path's events) as JSON text: CSV has no lists
        for i, f in enumerate(table.schema):
            if pa.types.is_list(f.type) or pa.types.is_large_list(f.type):
                texts = [None if v is None else json.dumps(v) for v in table.column(i).to_pylist()]
                table = table.set_column(i, f.name, as_texts(texts))
        sink = io.BytesIO()
        pcsv.write_csv(inert(table), sink)
        write_text_or_stdout(sink.getvalue().decode("utf-8"), path)
    if path is not None:
        stderr().print(f"wrote {path} ({table.num_rows:,} rows)", highlight=False)


#: what a spreadsheet reads as a formula at the start of a cell (OWASP, "CSV Injection")
_FORMULA_START = r"^[=+\-@\t\r]"
#: ... unless the cell is a plain number (a negative one starts with "-")
_PLAIN_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def inert(table: pa.Table) -> pa.Table:
    """``table`` safe to open in a spreadsheet: a text cell (or column name) that starts
    with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe,
    so that Excel, LibreOffice and Google Sheets show it instead of running it as a formula
    (``=HYPERLINK(...)`` in a review); plain numbers (``-12.5``) are left as they are."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def safe(text: str) -> str:
        risky = re.match(_FORMULA_START, text) and not re.match(_PLAIN_NUMBER, text)
        return "'" + text if risky else text

    for i, f in enumerate(table.schema):
        column = table.column(i)
        if pa.types.is_dictionary(f.type) and pa.types.is_string(f.type.value_type):
            column = column.cast(pa.string())
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            risky = pc.and_(
                pc.match_substring_regex(column, _FORMULA_START),
                pc.invert(pc.match_substring_regex(column, _PLAIN_NUMBER)),
            )
            if pc.any(risky).as_py():
                quoted = pc.binary_join_element_wise("'", column, "")
                column = pc.if_else(risky, quoted, column)
        if column is not table.column(i) or safe(f.name) != f.name:
            table = table.set_column(i, safe(f.name), column)
    return table


def _cell(name: str, value: Any) -> str:
    """A value in a terminal table: counts grouped, shares and rates as percentages with one
    decimal, durations short (``3m 20s``), other numbers with at most two decimals."""
    if value is None:
        return nb.MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return nb.count(value)
    if isinstance(value, float):
        if math.isnan(value):
            return nb.MISSING
        if name == "share" or name.startswith("conversion") or name.isdigit():
            return nb.percent(value, digits=1)
        if name.endswith(("_rate", "_rate_standard")):
            return nb.percentage(value, digits=1)
        if "seconds" in name:
            return nb.duration_short(value)
        return nb.number(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return " > ".join(str(v) for v in value)
    return str(value)


def _header(name: str) -> str:
    """A column's name on the terminal, words apart (they wrap in a narrow terminal). A
    column of seconds is shown as durations (``8m 31s``): it is headed a time
    (``median_seconds`` -> ``median time``); files keep the name and the seconds."""
    words = name.split("_")
    return " ".join("time" if w == "seconds" else w for w in words)


def _numeric(t: pa.DataType) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_integer(t) or pa.types.is_floating(t))


def _fixed(t: pa.DataType) -> bool:
    import pyarrow as pa

    return _numeric(t) or bool(pa.types.is_temporal(t))


#: control characters a terminal would act on (clear the screen, write the clipboard, ...)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(value: str) -> Text:
    """Data for the terminal as text only: Rich markup in it is not read (``[link=...]``,
    ``[bold red]`` are shown as written) and control characters are shown as escapes
    (``\\x1b``), never sent to the terminal."""
    return Text(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value))


def print_table(table: pa.Table, *, title: str, limit: int, hide: tuple[str, ...] = ()) -> None:
    shown = [f for f in table.schema if f.name not in hide]
    rows = table.to_pylist() if limit <= 0 else table.slice(0, limit).to_pylist()
    cells = [[_cell(f.name, row[f.name]) for f in shown] for row in rows]
    rich_table = Table(title=plain(title), title_justify="left", show_edge=False)
    for i, f in enumerate(shown):
        header = _header(f.name)
        if _fixed(f.type):  # numbers and times stay whole
            width = max([len(r[i]) for r in cells] + [max(map(len, header.split()))])
            justify: Literal["left", "right"] = "right" if _numeric(f.type) else "left"
            rich_table.add_column(plain(header), justify=justify, overflow="fold",
                                  min_width=width)  # fmt: skip
        else:
            rich_table.add_column(plain(header), overflow="fold")
    for r in cells:
        rich_table.add_row(*(plain(c) for c in r))
    out = stdout()
    out.print(rich_table)
    if len(rows) < table.num_rows:
        out.print(
            f"… {table.num_rows - len(rows):,} more rows ({table.num_rows:,} in all): "
            "--limit 0 shows them all, --format csv/json or -o FILE writes them",
            highlight=False,
        )


def emit(
    table: pa.Table,
    out: OutputOptions,
    *,
    title: str,
    hide: tuple[str, ...] = (),
    terminal: pa.Table | None = None,
    chart: Callable[[], Any] | None = None,
    command: str = "this command",
) -> None:
    """The result: a table on the terminal (``terminal`` if given), or written as asked; with
    ``-o FILE.svg|png|pdf|html`` the figure ``chart()`` draws (refused when there is none)."""
    drawn = chart_of(out)
    if drawn is not None:
        if chart is None:
            no_chart(out, command)
        assert chart is not None and out.output is not None
        write_chart(chart(), out.output)
        return
    fmt = format_of(out)
    if fmt == "table":
        print_table(terminal if terminal is not None else table, title=title, limit=out.limit,
                     hide=hide)  # fmt: skip
    else:
        write_table(table, fmt, out.output)


def write_chart(figure: Any, path: Path) -> None:
    """Write a chart (the format from the suffix); say so on stderr."""
    from journeymap.rendering.charts import save_chart

    with busy("drawing the chart"):
        save_chart(figure, path)
    stderr().print(f"wrote {path} (chart)", highlight=False)


def vertical(table: pa.Table) -> pa.Table:
    """A one-row table as ``metric, value`` rows, for the terminal."""
    import pyarrow as pa

    from journeymap._arrow import texts

    row = table.to_pylist()[0] if table.num_rows else {}
    names = list(row)
    cells = texts([_cell(n, row[n]) for n in names])
    return pa.Table.from_arrays([texts(names), cells], names=["metric", "value"])


OUT = (OutputOptions, output_options, "out")
