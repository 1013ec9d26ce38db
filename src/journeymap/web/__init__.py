"""The team app (``journeymap serve``): the team's maps in the browser, and a REST API.

A face beside the CLI, over the same library: it stores map files (the documents the CLI
reads) as versions in a database, and draws, lints, diffs and merges them with
:mod:`journeymap.formats`, :mod:`journeymap.model` and :mod:`journeymap.rendering`. Nothing
runs at import time: :func:`journeymap.web.app.create_app` builds the app from
:class:`journeymap.web.settings.Settings`. Needs the ``web`` extra.
"""
