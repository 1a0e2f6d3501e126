"""publisher: turn recorded conference talks and Q&A panels into podcasts."""

__version__ = "0.1.0"
