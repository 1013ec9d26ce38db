"""End-to-end tests of the team app in a real browser."""
