"""Keep show notes to the small HTML subset the feeds allow before putting them in a page."""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

ALLOWED = {"p", "ol", "ul", "li", "a", "br", "strong", "em", "b", "i"}
SAFE_SCHEMES = ("http://", "https://", "mailto:")
DROPPED = {"script", "style", "template", "iframe", "object"}  # dropped with their content


class _Cleaner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.hidden = 0  # depth inside DROPPED elements

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in DROPPED
        if tag not in ALLOWED or self.hidden:
            return
        if tag in ("li", "p") and self.open and self.open[-1] == tag:
            self.handle_endtag(tag)  # an implied end tag, as browsers read it
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if not href.lower().startswith(SAFE_SCHEMES) and not href.startswith("#"):
                href = ""
            self.out.append(f'<a href="{escape(href)}" rel="noopener">' if href else "<a>")
        else:
            self.out.append(f"<{tag}>")
        if tag != "br":
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.open:
            while self.open:
                top = self.open.pop()
                self.out.append(f"</{top}>")
                if top == tag:
                    break

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.out.append(escape(data, quote=False))


def clean_html(html: str) -> str:
    """`html` with only ALLOWED tags, safe links and every tag closed."""
    cleaner = _Cleaner()
    cleaner.feed(html)
    cleaner.close()
    return "".join(cleaner.out) + "".join(f"</{t}>" for t in reversed(cleaner.open))
