"""``journeymap feedback ...``: the voice of the customer from a survey export, reviews or tickets.

Every command takes one file (CSV, XLSX, JSON Lines, gzip too) and the same options for its
column roles (:class:`FeedbackOptions`); the roles found by name, the rows read, used and
rejected go to stderr, the result to stdout as a table, or as CSV, JSON or Parquet with
``--format`` / ``-o`` (the output options and writer of ``journeymap events``), or as a chart
with ``-o FILE.svg|png|pdf|html`` (summary draws none). The commands only parse, call the
library and print.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from journeymap._numbers import count
from journeymap.cli._common import handle_errors, stderr
from journeymap.cli._options import (
    COLUMNS,
    CustomerCol,
    DateCol,
    DelimiterOpt,
    EncodingOpt,
    ScoreCol,
    StrictOpt,
    TextCol,
    TouchpointCol,
    column,
)
from journeymap.cli._output import (
    OUT,
    OutputOptions,
    busy,
    emit,
    no_chart,
    vertical,
    with_options,
)
from journeymap.errors import UsageError

if TYPE_CHECKING:
    import pyarrow as pa

    from journeymap.voice.read import Feedback
    from journeymap.voice.sentiment import Method as SentimentMethod

app = typer.Typer(
    name="feedback",
    help="Voice of the customer: scores (NPS, CSAT, CES), sentiment, themes and key drivers "
    "of survey answers, reviews and tickets.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

_ROLES = COLUMNS
_READ = "Reading"

FileArg = Annotated[
    Path,
    typer.Argument(
        metavar="FILE",
        help="Survey export, reviews or tickets: CSV, XLSX or JSON Lines (.gz too).",
        show_default=False,
    ),
]

# ---- small parsers ---------------------------------------------------------------------------

_RANGE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:-|\.\.|:|to)\s*(-?\d+(?:\.\d+)?)\s*$")


def parse_range(text: str) -> tuple[float, float]:
    """``"1-7"`` -> ``(1.0, 7.0)``; also ``0..10``, ``1:5``, ``1 to 10``."""
    match = _RANGE.match(text)
    if match is None or not float(match[1]) < float(match[2]):
        raise UsageError(f"--range {text!r}: expected LOW-HIGH with LOW below HIGH, e.g. 1-7")
    return float(match[1]), float(match[2])


def parse_list(text: str | None, option: str) -> list[str] | None:
    """``"a, b,c"`` -> ``["a", "b", "c"]``."""
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise UsageError(f"{option} {text!r}: expected column names separated by commas")
    return names


def parse_mention(text: str) -> tuple[str, list[str]]:
    """``"baggage=bag*|luggage"`` -> ``("baggage", ["bag*", "luggage"])``."""
    name, sep, words = text.partition("=")
    keywords = [w.strip() for w in words.split("|") if w.strip()]
    if not sep or not name.strip() or not keywords:
        raise UsageError(
            f"--mention {text!r}: expected NAME=KEYWORD|KEYWORD, e.g. baggage=bag*|luggage"
        )
    return name.strip(), keywords


# ---- the options every command shares --------------------------------------------------------


def _option(metavar: str | None, help: str, panel: str | None = _ROLES) -> object:
    return typer.Option(metavar=metavar, help=help, rich_help_panel=panel)


_Scale = Annotated[
    Literal["nps", "csat", "ces", "rating"] | None,
    _option(None, "Scale of the score (default: from the column's name, else rating)."),
]
_Range = Annotated[
    str | None,
    _option(
        "LOW-HIGH",
        "Range of the scale when not the standard one (NPS 0-10, CSAT 1-5, CES 1-7), e.g. 1-7.",
    ),
]
_DateFormat = Annotated[
    str | None,
    _option(
        "FMT",
        "strptime format of the dates, e.g. '%m %d, %Y' (default: ISO 8601 or epoch numbers, "
        "detected).",
    ),
]
_Stage = Annotated[str | None, column("Column of the journey stage.")]
_Segment = Annotated[str | None, column("Column of the segment (persona, plan).")]
_Outcome = Annotated[
    str | None, column("Column of the outcome (overall rating, recommended yes/no).")
]
_Ratings = Annotated[
    str | None,
    _option("A,B,C", "Rating columns, one per touchpoint (seat comfort, staff, food, ...)."),
]
_Where = Annotated[
    list[str] | None,
    _option(
        "COND",
        "Keep the rows where COL=V (V|W: any of them), COL!=V, or COL<=N or DATE (also <, >, "
        ">=); repeatable.",
        _READ,
    ),
]
_Sheet = Annotated[str | None, _option("NAME", "XLSX sheet (default: the first).", _READ)]


@dataclass(frozen=True)
class FeedbackOptions:
    """How to read the file: the common options of every ``feedback`` command, declared
    once here (the class is the signature :func:`with_options` adds to each command)."""

    score: ScoreCol = None
    scale: _Scale = None
    range: _Range = None
    text: TextCol = None
    date: DateCol = None
    date_format: _DateFormat = None
    customer: CustomerCol = None
    touchpoint: TouchpointCol = None
    stage: _Stage = None
    segment: _Segment = None
    outcome: _Outcome = None
    ratings: _Ratings = None
    where: _Where = None
    sheet: _Sheet = None
    delimiter: DelimiterOpt = None
    encoding: EncodingOpt = None
    strict: StrictOpt = False


#: the options of every command: the fields of the class, its signature the template
_FEEDBACK = (FeedbackOptions, typing.cast("Callable[..., None]", FeedbackOptions), "opts")


def _read(file: Path, opts: FeedbackOptions) -> Feedback:
    """The file read with the options; the read report on stderr."""
    from journeymap.voice.read import read_feedback

    with busy("reading"):
        fb = read_feedback(
            file,
            score=opts.score,
            scale=opts.scale,
            scale_range=parse_range(opts.range) if opts.range else None,
            text=opts.text,
            date=opts.date,
            date_format=opts.date_format,
            customer=opts.customer,
            touchpoint=opts.touchpoint,
            stage=opts.stage,
            segment=opts.segment,
            outcome=opts.outcome,
            ratings=parse_list(opts.ratings, "--ratings"),
            strict=opts.strict,
            encoding=opts.encoding,
            delimiter=opts.delimiter,
            sheet=opts.sheet,
        )
    err = stderr()
    for line in fb.lines():
        err.print(line, markup=False, highlight=False, emoji=False)
    if opts.where:
        from journeymap.voice.subset import where

        fb = where(fb, opts.where)
        err.print(
            f"where {' and '.join(opts.where)}: {count(fb.table.num_rows)} rows",
            markup=False,
            highlight=False,
        )
    return fb


# ---- commands --------------------------------------------------------------------------------


@app.command("summary")
@handle_errors
@with_options(_FEEDBACK, OUT)
def summary_(file: FileArg, *, opts: FeedbackOptions, out: OutputOptions) -> None:
    """Rows read, used and rejected; dates; the overall score with its 95% interval.

    Also the rows with a score and with text, and distinct customers, touchpoints, stages and
    segments.
    """
    from journeymap.voice.scores import feedback_summary

    no_chart(out, "feedback summary")
    table = feedback_summary(_read(file, opts))
    emit(table, out, title="summary", terminal=vertical(table), command="feedback summary")


@app.command("scores")
@handle_errors
@with_options(_FEEDBACK, OUT)
def scores_(
    file: FileArg,
    by: Annotated[
        list[str] | None,
        _option(
            "ROLE|COL|PERIOD",
            "Group by a role (stage, touchpoint, segment, customer), a column, or a period of "
            "the date (day, week, month, quarter, year); repeatable.",
            None,
        ),
    ] = None,
    top_box: Annotated[
        float | None,
        typer.Option(
            metavar="N", help="CSAT: the lowest satisfied answer (default: the top two points)."
        ),
    ] = None,
    of: Annotated[
        Literal["score", "ratings"] | None,
        typer.Option(
            help="Score the score column, or each rating column (default: ratings when there "
            "is no score)."
        ),
    ] = None,
    *,
    opts: FeedbackOptions,
    out: OutputOptions,
) -> None:
    """NPS, CSAT, CES or mean rating per group, with n and the 95% confidence interval."""
    from journeymap.voice.scores import scores

    fb = _read(file, opts)
    groups = list(by or [])
    table = scores(fb, by=groups, top_box=top_box, of=of, scale=opts.scale)
    mode = of or ("ratings" if fb.roles.ratings and fb.roles.score is None else "score")
    what = "ratings" if mode == "ratings" else (fb.roles.scale or "rating").upper()
    title = what if what in ("NPS", "CSAT", "CES", "ratings") else "mean rating"
    emit(table, out, title=title + (f" by {', '.join(groups)}" if groups else ""),
         chart=lambda: _chart("scores", table, what=title))  # fmt: skip


def _chart(kind: str, table: pa.Table, *, what: str = "score") -> object:
    """The chart of a scores, sentiment, themes or drivers table."""
    from journeymap.rendering import charts

    if kind == "scores":
        return charts.scores_chart(charts.scores_data(table), what=what)
    if kind == "sentiment":
        return charts.sentiment_chart(charts.sentiment_data(table))
    if kind == "themes":
        return charts.themes_chart(charts.themes_data(table))
    return charts.drivers_chart(charts.drivers_data(table))


@app.command("sentiment")
@handle_errors
@with_options(_FEEDBACK, OUT)
def sentiment_(
    file: FileArg,
    method: Annotated[
        str, typer.Option(help="vader (a lexicon, offline), or a model the library offers.")
    ] = "vader",
    human: Annotated[
        str | None,
        typer.Option(
            metavar="COL",
            help="A column of human labels (negative/neutral/positive): report the agreement "
            "on stderr.",
        ),
    ] = None,
    whole: Annotated[
        bool,
        typer.Option(
            "--whole",
            help="Score every text whole, as VADER does (default: texts of more than 50 words "
            "sentence by sentence, which agrees better with reviewers' ratings).",
        ),
    ] = False,
    *,
    opts: FeedbackOptions,
    out: OutputOptions,
) -> None:
    """Sentiment of each verbatim, in input order: row, text, score (-1..1) and label.

    With a score column (--score, or found by name: rating, overall, stars, ...) the
    agreement of the sentiment with it goes to stderr: Spearman, the share of low ratings
    read negative and of high ones read positive, AUC; for short and long texts apart.
    """
    from journeymap.voice.sentiment import (
        LONG_WORDS,
        sentiment,
        sentiment_agreement,
        sentiment_report,
    )

    fb = _read(file, opts)
    if human is not None and human not in fb.table.column_names:
        raise UsageError(f"--human {human}: no such column in {fb.source}")
    with busy("scoring sentiment"):
        table = sentiment(
            fb,
            text=opts.text,
            method=typing.cast("SentimentMethod", method),
            long_words=None if whole else LONG_WORDS,
        )
    err = stderr()
    for line in sentiment_report(table):
        err.print(line, markup=False, highlight=False, emoji=False)
    if human is not None:
        labels = fb.table.column(human).cast("string").to_pylist()
        agreement = sentiment_agreement(table, labels)
        err.print(f"agreement with {human!r}:", markup=False, highlight=False)
        for key, value in agreement.items():
            if not isinstance(value, dict | list):
                shown = f"{value:.3f}" if isinstance(value, float) else str(value)
                err.print(f"  {key}: {shown}", markup=False, highlight=False)
    emit(table, out, title=f"sentiment ({method})", chart=lambda: _chart("sentiment", table))


@app.command("themes")
@handle_errors
@with_options(_FEEDBACK, OUT)
def themes_(
    file: FileArg,
    method: Annotated[
        Literal["tfidf", "embeddings"],
        typer.Option(help="tfidf (scikit-learn) or embeddings (the 'embeddings' extra)."),
    ] = "tfidf",
    k: Annotated[
        int | None, typer.Option(metavar="N", help="Number of themes (default: chosen).")
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            metavar="ROLE|COL",
            help="Themes per group (e.g. stage, segment); 'category': per NPS category "
            "(promoters, passives, detractors) or CSAT satisfied/unsatisfied.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the clustering.")] = 0,
    *,
    opts: FeedbackOptions,
    out: OutputOptions,
) -> None:
    """Themes of the verbatims: key phrases, size, mean score and sentiment, three quotes."""
    from journeymap.voice.themes import themes

    fb = _read(file, opts)
    if by == "category" and "category" not in fb.table.column_names:
        from journeymap.voice.scores import with_category

        fb = with_category(fb)
    with busy("finding themes"):
        table = themes(fb, text=opts.text, score=opts.score, method=method, k=k, by=by, seed=seed)
    emit(table, out, title=f"themes ({method})", terminal=_quotes_as_text(table),
         chart=lambda: _chart("themes", table))  # fmt: skip


def _quotes_as_text(table: pa.Table) -> pa.Table:
    """List columns (the quotes) as one quoted line each, for the terminal."""
    import pyarrow as pa

    for i, f in enumerate(table.schema):
        if pa.types.is_list(f.type) or pa.types.is_large_list(f.type):
            texts = [
                None if v is None else "\n".join(f"“{' '.join(str(q).split())}”" for q in v)
                for v in table.column(i).to_pylist()
            ]
            table = table.set_column(i, f.name, pa.array(texts, pa.string()))
    return table


@app.command("drivers")
@handle_errors
@with_options(_FEEDBACK, OUT)
def drivers_(
    file: FileArg,
    drivers: Annotated[
        str | None,
        _option(
            "A,B,C",
            "The driver columns (default: the --ratings, else every rating column; those left "
            "out are named on stderr with why).",
            None,
        ),
    ] = None,
    mention: Annotated[
        list[str] | None,
        _option(
            "NAME=KW|KW",
            "A driver made from the text: 1 when it mentions a keyword (word* matches endings), "
            "e.g. baggage=bag*|luggage; repeatable.",
            None,
        ),
    ] = None,
    bootstrap: Annotated[
        int, typer.Option(metavar="N", help="Bootstrap resamples for the intervals.")
    ] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    *,
    opts: FeedbackOptions,
    out: OutputOptions,
) -> None:
    """Key drivers (moments of truth): which touchpoints move the outcome most.

    One row per driver, strongest first, with direction, 95% interval, performance and
    priority.
    """
    from journeymap.voice.drivers import drivers as key_drivers
    from journeymap.voice.drivers import drivers_report

    fb = _read(file, opts)
    with busy("ranking drivers"):
        table = key_drivers(
            fb, outcome=opts.outcome, drivers=parse_list(drivers, "--drivers"),
            mentions=dict(parse_mention(m) for m in mention or []), text=opts.text,
            bootstrap=bootstrap, seed=seed,
        )  # fmt: skip
    err = stderr()
    for line in drivers_report(table):
        err.print(line, markup=False, highlight=False, emoji=False)
    # the terminal gets what a reader ranks by; files get every column
    shown = [c for c in ("raw_weight", "coefficient", "performance") if c in table.column_names]
    if "note" in table.column_names and table.column("note").null_count == table.num_rows:
        shown.append("note")
    emit(table, out, title="key drivers", terminal=table.drop_columns(shown),
         chart=lambda: _chart("drivers", table))  # fmt: skip
