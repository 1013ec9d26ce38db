"""Event logs: reading them, keeping them, and the journey analyses over them.

* reading: :mod:`~journeymap.events.read` (:func:`read_events`, the read report),
  :mod:`~journeymap.events.roles` (which column plays which role),
  :mod:`~journeymap.events.sources` (opening each kind of source, locating a row),
  :mod:`~journeymap.events.xes`, and :mod:`~journeymap.events.logs` (several logs as one,
  through :mod:`~journeymap.events.cache`);
* some of a log: :mod:`~journeymap.events.subset` (``--where``, ``--since``/``--until``,
  ``--lifecycle``, segments for ``--by``), and :mod:`~journeymap.events.lifecycle` (a start
  and its complete as one step);
* the ordered pass every analysis reads: :mod:`~journeymap.events.prepare`;
* the analyses: flows, paths, funnel, retention, sessions, summary, discover.

Files are opened with the engine's file toolkit and every query runs on the engine
(:mod:`journeymap.engine`); nothing here connects to a backend.
"""
