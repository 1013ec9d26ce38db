"""The file toolkit (journeymap.engine.files), and its one rule on the three readers of text
files: event logs, feedback and table import."""

from __future__ import annotations

import codecs
import gzip
import io
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from journeymap.engine import Engine
from journeymap.engine.files import (
    WHITESPACE,
    RecordError,
    compression_of,
    decode,
    delimiter_of,
    encoding_of,
    format_of,
    head,
    head_lines,
    json_key_order,
    local_files,
    not_text,
    open_bytes,
    open_text,
    records,
    transcode,
    unique_names,
)
from journeymap.errors import EvidenceError, TableImportError, UsageError

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


# ---- which files -----------------------------------------------------------------------------


def test_local_files_of_a_file_a_folder_a_glob_and_a_url(tmp_path: Path) -> None:
    for name in ("b.csv", "a.csv", "sub/c.csv", ".hidden.csv", "_meta.csv", "sub/d.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n")
    assert local_files(str(tmp_path / "a.csv")) == [tmp_path / "a.csv"]
    assert local_files(str(tmp_path)) == [
        tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "sub/c.csv", tmp_path / "sub/d.txt"
    ]  # fmt: skip
    # a glob takes what it matches (``*`` matches no name that starts with a dot)
    assert local_files(str(tmp_path / "**" / "*.csv")) == [
        tmp_path / "_meta.csv", tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "sub/c.csv",
    ]  # fmt: skip
    assert local_files(f"file://{tmp_path / 'b.csv'}") == [tmp_path / "b.csv"]
    assert local_files("s3://bucket/events/*.parquet") == []
    assert local_files(str(tmp_path / "missing.csv")) == []


# ---- compression -----------------------------------------------------------------------------


def test_compression_is_told_by_the_magic_bytes_not_the_name(tmp_path: Path) -> None:
    zipped = tmp_path / "plain-name.csv"
    zipped.write_bytes(gzip.compress(b"a,b\n1,2\n"))
    named = tmp_path / "not-really.csv.gz"
    named.write_bytes(b"a,b\n1,2\n")
    zstd = tmp_path / "z.csv"
    zstd.write_bytes(ZSTD_MAGIC + b"\x00" * 8)
    assert (compression_of(zipped), compression_of(named), compression_of(zstd)) == (
        "gzip", None, "zstd",
    )  # fmt: skip
    with open_bytes(zipped) as stream:
        assert stream.read() == b"a,b\n1,2\n"
    assert head(named, 3) == b"a,b"
    assert head(zstd) == b""  # only the engine reads zstd
    with (
        pytest.raises(UsageError, match="zstd-compressed; only the DuckDB engine"),
        open_bytes(zstd),
    ):
        pass


# ---- encodings -------------------------------------------------------------------------------


def test_encoding_by_name_by_byte_order_mark_else_utf8() -> None:
    assert encoding_of(b"abc").codec == "utf-8"
    assert encoding_of(b"abc").how == "default"
    marked = {
        codecs.BOM_UTF8: "utf-8", codecs.BOM_UTF16_LE: "utf-16-le",
        codecs.BOM_UTF16_BE: "utf-16-be", codecs.BOM_UTF32_LE: "utf-32-le",
    }  # fmt: skip
    for bom, codec in marked.items():
        found = encoding_of(bom + b"a")
        assert (found.codec, found.how, found.bom) == (codec, "byte-order mark", True)
    # any name Python knows, by any of its spellings
    assert encoding_of(b"abc", "Latin1").codec == encoding_of(b"", "ISO-8859-1").codec
    assert encoding_of(b"abc", "latin-1").native == "latin-1"
    assert encoding_of(b"abc", "UTF8").native == "utf-8"
    assert encoding_of(b"abc", "cp1252").native is None  # converted before the engine reads it
    assert encoding_of(b"", "windows-1252").codec == "cp1252"
    # a UTF-16 name without a byte order takes it from the mark, else little-endian
    assert encoding_of(codecs.BOM_UTF16_BE, "utf-16").codec == "utf-16-be"
    assert encoding_of(b"a\x00", "utf-16").codec == "utf-16-le"
    assert encoding_of(codecs.BOM_UTF16_LE, "utf-16").native == "utf-16"
    assert encoding_of(codecs.BOM_UTF16_BE, "utf-16").native is None
    with pytest.raises(UsageError, match="unknown or unsupported encoding 'klingon'"):
        encoding_of(b"", "klingon")
    with pytest.raises(UsageError, match="unsupported encoding 'rot13'"):
        encoding_of(b"", "rot13")  # a codec, but not a text encoding


def test_decoding_drops_the_mark_and_names_the_first_bad_byte() -> None:
    text = "user,event\nü1,café\n"
    for data in (codecs.BOM_UTF8 + text.encode(), text.encode("utf-16"),
                 codecs.BOM_UTF16_BE + text.encode("utf-16-be")):  # fmt: skip
        assert decode(data, encoding_of(data)) == text
    latin = text.encode("latin-1")
    with pytest.raises(UnicodeDecodeError) as err:
        decode(latin, encoding_of(latin))
    assert err.value.start == latin.index("ü".encode("latin-1"))
    assert decode(latin, encoding_of(latin, "latin-1")) == text
    # a character cut off at the end of a head is left out; at the end of a file, an error
    cut = "é".encode() * 3 + b"\xc3"
    assert decode(cut, encoding_of(b""), whole=False) == "ééé"
    with pytest.raises(UnicodeDecodeError):
        decode(cut, encoding_of(b""))
    assert not_text("f.csv", encoding_of(b""), 11) == (
        "f.csv: not utf-8 text (byte 11 cannot be decoded); give the encoding with --encoding "
        "(e.g. latin-1, cp1252, utf-16)"
    )


def test_open_text_and_head_lines_decompress_and_drop_the_mark(tmp_path: Path) -> None:
    path = tmp_path / "u16.csv"
    path.write_bytes(gzip.compress('a,b\r\nü,"x\ny"\r\n'.encode("utf-16")))
    enc = encoding_of(head(path, 4))
    assert enc.codec == "utf-16-le"
    with open_text(path, enc) as text:
        assert list(text) == ["a,b\r\n", 'ü,"x\n', 'y"\r\n']
    assert head_lines(path, enc, lines=1) == ["a,b\r\n"]


def test_transcode_writes_utf8_and_names_the_bad_byte(tmp_path: Path) -> None:
    src = tmp_path / "cp.csv"
    src.write_bytes(codecs.BOM_UTF16_BE + "a,b\n€,ü\n".encode("utf-16-be"))
    out = tmp_path / "out.csv"
    transcode(src, encoding_of(head(src, 4)), out, where="cp.csv")
    assert out.read_bytes() == "a,b\n€,ü\n".encode()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"a,b\n" + "é".encode() + b"\xff\n")
    with pytest.raises(EvidenceError, match=r"^bad\.csv: not utf-8 text \(byte 6 cannot"):
        transcode(bad, encoding_of(b""), tmp_path / "x.csv", where="bad.csv")


# ---- delimiters, records, headers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "found"),
    [
        (["a,b,c\n", "1,2,3\n"], ","),
        (["a;b;c\n"], ";"),
        (["a\tb\tc\n"], "\t"),
        (["a|b|c\n"], "|"),
        (['"x,y,z";b;c\n'], ";"),  # commas inside quotes do not count
        (["a,b;c\n"], ","),  # a tie: the first of , ; tab |
        (["Customer journey Q1\n", "\n", "Stage;Touchpoint\n"], ";"),  # a title line above
        ([" id  date  amount\n", " 1  20240101  3\n", " 2  20240102  4\n"], WHITESPACE),
        (["just one\n", "x y z w\n", "a b c\n"], ","),  # a header with spaces, not a table
        (["id date\n", '"1" 2\n'], ","),  # quotes: not whitespace-separated
        ([], ","),
    ],
)
def test_delimiter_from_the_first_lines(lines: list[str], found: str) -> None:
    assert delimiter_of(lines) == found


def test_delimiter_given_or_from_the_name() -> None:
    assert delimiter_of(["a,b\n"], name="x.tsv") == "\t"
    assert delimiter_of(["a,b\n"], name="x.TAB.gz") == "\t"
    assert delimiter_of(["a,b\n"], given="tab") == "\t"
    assert delimiter_of(["a,b\n"], given="semicolon") == ";"
    assert delimiter_of(["a,b\n"], given="Whitespace") == WHITESPACE
    assert delimiter_of(["a,b\n"], given=":") == ":"
    assert delimiter_of([" a  b\n", " 1  2\n"], whitespace=False) == ","
    with pytest.raises(UsageError, match="expected one character"):
        delimiter_of(["a,b\n"], given="::")


def test_records_start_lines_blank_lines_and_whitespace() -> None:
    text = 'a,b\n\n1,"two\nlines"\n3,4\n'
    got = list(records(io.StringIO(text, newline=""), ","))
    assert got == [(1, ["a", "b"]), (2, []), (3, ["1", "two\nlines"]), (5, ["3", "4"])]
    assert list(records([" id  n\n", "\n", " 7  8\n"], WHITESPACE)) == [
        (1, ["id", "n"]), (2, []), (3, ["7", "8"])
    ]  # fmt: skip
    too_long = "a\n" + "x" * (2**17 + 1) + "\n"
    import csv

    limit = csv.field_size_limit(2**16)
    try:
        with pytest.raises(RecordError) as err:
            list(records(io.StringIO(too_long, newline=""), ","))
    finally:
        csv.field_size_limit(limit)
    assert err.value.line == 2


def test_unique_names() -> None:
    assert unique_names([" a ", "", "a", None, "a", "b"]) == [
        "a", "column2", "a_2", "column4", "a_3", "b"
    ]  # fmt: skip


# ---- what a file holds -----------------------------------------------------------------------


def test_format_of_a_file_from_its_first_bytes(tmp_path: Path) -> None:
    def file(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    pq.write_table(pa.table({"a": [1]}), tmp_path / "p")
    assert format_of(tmp_path / "p") == "parquet"
    assert format_of(file("x", b"PK\x03\x04rest")) == "zip"
    assert format_of(file("l", b'\xef\xbb\xbf  <?xml version="1.0"?><log/>')) == "xml"
    assert format_of(file("j", gzip.compress(b'\n{"a": 1}\n'))) == "json"
    assert format_of(file("arr", b' [{"a": 1}]')) == "json"
    assert format_of(file("t", "a,b\n1,2\n".encode("utf-16"))) == "text"  # by its mark
    assert format_of(file("b", b"\x00\x01\x02")) is None
    assert format_of(file("z", ZSTD_MAGIC + b"\x00\x01")) is None
    assert format_of(file("empty", b"")) is None


def test_json_key_order(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_bytes(gzip.compress(b'\n{"z": 1, "a": 2, "m": 3}\n{"b": 1}\n'))
    assert json_key_order(str(path)) == ["z", "a", "m"]
    (tmp_path / "bad.jsonl").write_text("not json\n")
    assert json_key_order(str(tmp_path / "bad.jsonl")) == []
    assert json_key_order(str(tmp_path / "none-*.jsonl")) == []


# ---- the rule on the three readers -----------------------------------------------------------


@pytest.fixture
def engine() -> Iterator[Engine]:
    with Engine.connect() as duck:
        yield duck


TEXT = "user_id,event,timestamp\nü1,café €,2024-01-01\n"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_event_logs_read_any_encoding_and_convert_what_duckdb_cannot(
    tmp_path: Path, engine: Engine
) -> None:
    from journeymap.events.read import read_events

    def triple(path: Path, **kw: str) -> tuple[str, str]:
        log = read_events(path, engine=engine, **kw)
        row = engine.run(log.table).to_pylist()[0]
        return row["customer"], row["event"]

    want = ("ü1", "café €")
    cp = _write(tmp_path / "cp.csv", TEXT.encode("cp1252"))
    assert triple(cp, encoding="cp1252") == want  # converted to UTF-8 first
    with pytest.raises(EvidenceError, match=r"cp\.csv: not utf-8 text \(byte 24 cannot"):
        read_events(cp, engine=engine)  # never guessed
    # UTF-16 big-endian: DuckDB would read no rows at all; it is converted
    be = _write(tmp_path / "be.csv", codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"))
    assert triple(be) == want
    assert triple(_write(tmp_path / "le.csv.gz", gzip.compress(TEXT.encode("utf-16")))) == want
    lines = '{"user_id": "ü1", "event": "café €", "timestamp": "2024-01-01"}\n'
    assert triple(_write(tmp_path / "e.jsonl", lines.encode("utf-16"))) == want
    assert triple(_write(tmp_path / "c.jsonl", lines.encode("cp1252")), encoding="cp1252") == want
    (tmp_path / "many").mkdir()
    _write(tmp_path / "many" / "a.csv", TEXT.encode("cp1252"))
    with pytest.raises(UsageError, match="not for the files of a folder or glob"):
        read_events(str(tmp_path / "many" / "*.csv"), engine=engine, encoding="cp1252")


def test_event_logs_explain_latin1_bytes_that_duckdb_refuses(
    tmp_path: Path, engine: Engine
) -> None:
    from journeymap.events.read import read_events

    path = _write(tmp_path / "l.csv", TEXT.encode("cp1252"))  # € is 0x80
    with pytest.raises(EvidenceError, match=r"without the bytes 0x80-0x9F.*--encoding cp1252"):
        read_events(path, engine=engine, encoding="latin-1")


def test_feedback_reads_by_the_same_rule(tmp_path: Path) -> None:
    from journeymap.voice.read import read_feedback

    text = "score,comment\n9,café €\n"
    cp = _write(tmp_path / "cp.csv", text.encode("cp1252"))
    assert read_feedback(cp, encoding="windows-1252").table["comment"].to_pylist() == ["café €"]
    with pytest.raises(EvidenceError, match=r"not utf-8 text \(byte 19 cannot be decoded\)"):
        read_feedback(cp)
    be = _write(tmp_path / "be.csv", codecs.BOM_UTF16_BE + text.encode("utf-16-be"))
    assert read_feedback(be).table["comment"].to_pylist() == ["café €"]
    spaced = _write(tmp_path / "s.txt", b" score  stars\n 9  4\n 7  5\n")
    assert read_feedback(spaced, score="score").table["stars"].to_pylist() == [4, 5]
    with pytest.raises(UsageError, match="unknown or unsupported encoding 'klingon'"):
        read_feedback(cp, encoding="klingon")


def test_table_import_reads_by_the_same_rule() -> None:
    from journeymap.formats.tables.readers import read_csv

    text = "Stage;Pain Point\nCafé;Slow €\n"
    for data, encoding in (
        (text.encode("utf-16"), None),
        (codecs.BOM_UTF8 + text.encode(), None),
        (text.encode("cp1252"), "cp1252"),
    ):
        (table,) = read_csv(data, "t.csv", encoding=encoding)
        assert [c.text for c in table.headers] == ["Stage", "Pain Point"]
        assert [c.text for c in table.rows[0]] == ["Café", "Slow €"]
    with pytest.raises(TableImportError, match=r"t\.csv: not UTF-8 text .* at byte 20\)"):
        read_csv(text.encode("cp1252"), "t.csv")
    (table,) = read_csv(b"Stage\tPain Point\nA\tB\n", "t.tsv")
    assert [c.text for c in table.rows[0]] == ["A", "B"]
