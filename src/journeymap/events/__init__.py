"""Event logs: reading them, keeping them, and the journey analyses over them."""
