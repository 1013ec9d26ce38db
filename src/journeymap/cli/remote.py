"""``journeymap push`` and ``journeymap pull``: a map file in git and the same map in the team
app meet.

A push sends the file as an edit of the app's version it was last pulled or pushed as: the
app merges it with what was saved in the browser since (or reports the fields both
changed). A pull writes the app's newest version over the file, atomically, and refuses to
replace edits that were never pushed. Which app version a file stands for is kept beside it
in ``.journeymap-app.json`` (commit it, or ignore it).

The API token comes from ``JOURNEYMAP_TOKEN`` (never from the command line, where other
users of the machine could read it).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer

from journeymap._atomic import atomic_write_text
from journeymap.cli._common import handle_errors, stderr, stdout
from journeymap.errors import UsageError

STATE = ".journeymap-app.json"
_PATH = re.compile(r"^(?P<root>.*?)/w/(?P<ws>[a-z0-9-]+)/?(?:maps/(?P<slug>[^/?#]+))?/?$")


@dataclass(frozen=True)
class Target:
    """A workspace (and a map of it) in an app, from the URL of its page."""

    base: str
    workspace: str
    slug: str | None

    @classmethod
    def parse(cls, url: str) -> Target:
        parts = urlsplit(url)
        found = _PATH.match(parts.path)
        if parts.scheme not in ("http", "https") or not parts.netloc or not found:
            raise UsageError(
                f"{url}: expected the address of a map or a workspace in the app, such as "
                "https://maps.example.com/w/cx/maps/checkout or https://maps.example.com/w/cx"
            )
        base = f"{parts.scheme}://{parts.netloc}{found['root']}"
        return cls(base, found["ws"], found["slug"])

    def api(self, slug: str | None = None) -> str:
        tail = f"/{slug}" if slug else ""
        return f"{self.base}/api/v1/w/{self.workspace}/maps{tail}"

    def page(self, slug: str) -> str:
        return f"{self.base}/w/{self.workspace}/maps/{slug}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _state_file(path: Path) -> Path:
    return path.parent / STATE


def _read_state(path: Path) -> dict[str, Any]:
    f = _state_file(path)
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise UsageError(f"{f}: cannot be read ({exc}); delete it and pull again") from None
    maps = data.get("maps", {}) if isinstance(data, dict) else {}
    entry = maps.get(path.name) if isinstance(maps, dict) else None
    return entry if isinstance(entry, dict) else {}


def _write_state(path: Path, url: str, version: int, text: str) -> None:
    f = _state_file(path)
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("maps"), dict):
            data = {"maps": {}}
    except (OSError, ValueError):
        data = {"maps": {}}
    data["maps"][path.name] = {"url": url, "version": version, "sha256": _digest(text)}
    atomic_write_text(f, json.dumps(data, indent=2, sort_keys=True) + "\n")


def _client() -> Any:
    try:
        import httpx
    except ImportError:
        raise UsageError(
            "push and pull need the web extra: pip install 'journeymap[web]'"
        ) from None
    token = os.environ.get("JOURNEYMAP_TOKEN", "").strip()
    if not token:
        raise UsageError(
            "set JOURNEYMAP_TOKEN to a personal API token (the app's account page makes one)"
        )
    return httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60.0)


def _call(client: Any, method: str, url: str, **kwargs: Any) -> Any:
    import httpx

    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise UsageError(f"{url}: cannot reach the app: {exc}") from None
    if response.status_code in (401, 403):
        raise UsageError(f"{url}: {_error(response)} (check JOURNEYMAP_TOKEN and your role)")
    return response


def _error(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    return str(body.get("error") or body.get("detail") or f"HTTP {response.status_code}")


def _report(map_file: Path) -> str | None:
    """The Markdown report of the map's latest saved measurement, if there is one."""
    from journeymap.cli._common import warn
    from journeymap.formats.document import load
    from journeymap.measuring.pipeline import latest_measurement, measurements_dir
    from journeymap.rendering.report import report_bytes

    latest = latest_measurement(measurements_dir(map_file), say=warn)
    if latest is None:
        return None
    return report_bytes(load(map_file), latest[1], "md").decode("utf-8")


def _send_report(client: Any, target: Target, slug: str, map_file: Path) -> str:
    report = _report(map_file)
    if report is None:
        return ""
    sent = _call(client, "PUT", target.api(slug) + "/measurement", json={"report": report})
    if sent.status_code != 204:
        raise UsageError(f"{map_file}: the app refused the measurement: {_error(sent)}")
    return "; its latest measurement too"


def _save(
    client: Any, target: Target, map_file: Path, edit: dict[str, Any], keep: str | None
) -> Any:
    """PUT the edit; settle conflicts with ``keep``, or tell them and exit 1."""
    assert target.slug is not None
    saved = _call(client, "PUT", target.api(target.slug), json=edit)
    if saved.status_code == 409 and keep:
        paths = [c["path"] for c in saved.json()["conflicts"]]
        edit["resolutions"] = dict.fromkeys(paths, keep)
        saved = _call(client, "PUT", target.api(target.slug), json=edit)
    if saved.status_code == 409:
        body = saved.json()
        err = stderr()
        err.print(f"{map_file}: {body['error']}", markup=False, highlight=False)
        for c in body["conflicts"]:
            err.print(
                f"  {c['label']}: yours {c['ours']!r}, the app's {c['theirs']!r}",
                markup=False, highlight=False,
            )  # fmt: skip
        err.print("push again with --keep ours or --keep theirs, or pull and edit", markup=False)
        raise typer.Exit(1)
    return saved


def _create(
    client: Any, target: Target, map_file: Path, text: str, message: str, *, measurement: bool
) -> None:
    """A new map in the workspace ``target`` names."""
    created = _call(client, "POST", target.api(), json={"text": text, "message": message})
    if created.status_code != 201:
        raise UsageError(f"{map_file}: the app refused it: {_error(created)}")
    body = created.json()
    _write_state(map_file, target.page(body["slug"]), 1, text)
    also = _send_report(client, target, body["slug"], map_file) if measurement else ""
    stdout().print(f"created {target.page(body['slug'])} (version 1){also}")


@handle_errors
def push(
    map_file: Annotated[Path, typer.Argument(metavar="MAP", help="The map file to send.")],
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="URL",
            help="The map's (or a workspace's) address in the app (default: where it was "
            "last pushed or pulled).",
        ),
    ] = None,
    message: Annotated[str, typer.Option("--message", "-m", help="What changed.")] = "",
    measurement: Annotated[
        bool,
        typer.Option(
            "--measurement/--no-measurement",
            help="Also send the report of the map's latest measurement (MAP.measurements/), "
            "shown on the map's page.",
        ),
    ] = True,
    keep: Annotated[
        str | None,
        typer.Option(
            metavar="ours|theirs",
            help="Settle every conflicting field: keep this file's value (ours) or the app's.",
        ),
    ] = None,
) -> None:
    """Send a map file to the team app as a new version (merged with the app's edits)."""
    from journeymap.formats.document import loads, read_text

    if keep not in (None, "ours", "theirs"):
        raise UsageError(f"--keep: expected ours or theirs, not {keep!r}")
    text = read_text(map_file)
    loads(text, file=str(map_file))  # a file the app would refuse is refused here, located
    state = _read_state(map_file)
    url = to or state.get("url")
    if not url:
        raise UsageError(f"{map_file}: where to? give --to URL (a map's or a workspace's address)")
    target = Target.parse(str(url))
    with _client() as client:
        if target.slug is None:
            _create(client, target, map_file, text, message, measurement=measurement)
            return
        current = _call(client, "GET", target.api(target.slug))
        if current.status_code == 404:
            raise UsageError(
                f"{url}: no such map in the app (push to the workspace's address to create it)"
            )
        head = current.json()
        if state.get("url") == url and isinstance(state.get("version"), int):
            base = int(state["version"])
        elif head["text"] == text:
            _write_state(map_file, str(url), int(head["version"]), text)
            stdout().print(f"{map_file}: already the app's version {head['version']}")
            return
        else:
            raise UsageError(
                f"{map_file}: this file was never pulled from {url}, so what it changes cannot "
                "be told from what the app changed: pull it first, move your edits over, then push"
            )
        saved = _save(
            client, target, map_file, {"text": text, "base": base, "message": message}, keep
        )
        if saved.status_code != 200:
            raise UsageError(f"{map_file}: the app refused it: {_error(saved)}")
        result = saved.json()
        version = int(result["version"])
        if result["merged"]:
            # the file becomes the merged map: it holds this push and the app's edits
            fresh = _call(client, "GET", target.api(target.slug), params={"version": version})
            text = fresh.json()["text"]
            atomic_write_text(map_file, text)
        _write_state(map_file, str(url), version, text)
        also = _send_report(client, target, target.slug, map_file) if measurement else ""
    merged = f" (merged with the app's edits, now in {map_file})" if result["merged"] else ""
    stdout().print(f"pushed {map_file} as version {result['version']}{merged}{also}")


@handle_errors
def pull(
    url: Annotated[str, typer.Argument(metavar="URL", help="The map's address in the app.")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="MAP", help="Where to write it (default: SLUG.yaml)."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the file even if it has unpushed edits.")
    ] = False,
) -> None:
    """Write the app's newest version of a map to a file (atomically)."""
    target = Target.parse(url)
    if target.slug is None:
        raise UsageError(f"{url}: expected a map's address (…/w/WORKSPACE/maps/MAP)")
    out = output or Path(f"{target.slug}.yaml")
    with _client() as client:
        response = _call(client, "GET", target.api(target.slug))
        if response.status_code == 404:
            raise UsageError(f"{url}: no such map in the app")
        if response.status_code != 200:
            raise UsageError(f"{url}: {_error(response)}")
        body = response.json()
    if out.exists() and not force:
        state = _read_state(out)
        local = out.read_text(encoding="utf-8")
        if local != body["text"] and state.get("sha256") != _digest(local):
            raise UsageError(
                f"{out}: has edits that were never pushed (or was not pulled from the app); "
                "push them first, or pass --force to replace them"
            )
    atomic_write_text(out, body["text"])
    _write_state(out, url, int(body["version"]), body["text"])
    stdout().print(f"wrote {out} (version {body['version']})")
