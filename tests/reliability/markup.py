"""What a page may not contain when documents and queries are hostile: live markup that came from them."""

from __future__ import annotations

from bs4 import BeautifulSoup

# Elements that no Kamerzoek page has and that a document could smuggle in.
FOREIGN = ("iframe", "object", "embed", "frame", "applet", "base", "form[action^=javascript]")


def live_markup(html: str) -> list[str]:
    """Everything in ``html`` that would run or load something it should not; [] when the page is safe.

    Text that looks like markup is fine as long as it is escaped ("&lt;script&gt;"):
    the parser then sees text, not an element.
    """
    soup = BeautifulSoup(html, "lxml")
    found = []
    for script in soup.find_all("script"):
        source = script.get("src") or ""
        if not (isinstance(source, str) and source.startswith("/static/")):
            found.append(f"script: {str(script)[:80]}")
    for element in soup.find_all(True):
        for name, value in element.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on"):
                found.append(f"event handler {name}= on <{element.name}>")
            if name.lower() in ("href", "src", "action", "formaction") and text.strip().lower().startswith(
                    ("javascript:", "data:text/html", "vbscript:")):
                found.append(f"{name}={text[:40]} on <{element.name}>")
        if element.name == "img" and element.get("src") == "x":
            found.append("an <img> from a document")
        if element.name == "meta" and str(element.get("http-equiv", "")).lower() == "refresh":
            found.append("a meta refresh")
    for selector in FOREIGN:
        found += [f"<{e.name}>" for e in soup.select(selector)]
    for needle in ("<script>alert", "<img src=x", "<svg onload", "<iframe"):
        if needle in html:
            found.append(f"raw {needle!r}")
    return found
