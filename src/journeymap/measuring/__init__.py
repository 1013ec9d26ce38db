"""The map held against the evidence: behaviour and feedback per touchpoint, the measured
emotion, pain points, KPIs, and the demo data."""
