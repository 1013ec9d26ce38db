"""The voice of the customer: feedback files, scores, sentiment, themes and key drivers."""
