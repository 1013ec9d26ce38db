"""The engine: the only place that connects to a backend and executes queries, and the
file toolkit (sniffing, encodings, globs) every reader shares."""
