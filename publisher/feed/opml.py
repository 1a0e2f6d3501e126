"""The OPML files of a show, for importing its feeds into a podcast app in one go.

gPodder, AntennaPod and Apple Podcasts subscribe to every outline, so feeds.opml
lists feed.xml and clips.xml only (no episode in two of them: nothing shows
twice); feeds-all.opml lists every feed (years, tracks, topics), for choosing.
"""

from __future__ import annotations

from lxml import etree

from ..show import Show
from .catalog import FeedSpec


def render_opml(show: Show, specs: list[FeedSpec], what: str) -> bytes:
    """OPML 2.0 with one flat rss outline per feed (flat: every app imports it)."""
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = f"{show.title}: {what}"
    etree.SubElement(head, "ownerName").text = show.owner_name
    etree.SubElement(head, "ownerEmail").text = show.owner_email
    body = etree.SubElement(opml, "body")
    for spec in specs:
        etree.SubElement(
            body,
            "outline",
            type="rss",
            text=spec.title,
            title=spec.title,
            xmlUrl=show.url(spec.relpath),
            htmlUrl=spec.link,
        )
    return etree.tostring(opml, pretty_print=True, encoding="UTF-8", xml_declaration=True)
