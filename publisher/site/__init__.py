"""The static site that ships next to the feeds: home, talk and topic pages, search."""

from .build import build_site

__all__ = ["build_site"]
