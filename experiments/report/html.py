"""``report.html``: the report's markdown as one self-contained HTML page.

The markdown stays the source of truth; this module converts the subset the report writes
(headings, paragraphs, ``-`` lists, GitHub tables, images, links, block quotes, fenced code,
inline code, ``**bold**``, ``*italic*`` and ``_italic_``) and nothing else, with no dependency.
Every image under the run directory is embedded as a base64 ``data:`` URI, so the page needs
neither its ``figures/`` folder nor a network. The first table after the *At a glance* heading
is laid out as the first screen (thumbnails side by side); every other table sits in a
collapsible ``<details>`` (the *What ran* table open).
"""

from __future__ import annotations

import base64
import html
import mimetypes
import re
from pathlib import Path

from experiments.report.markdown import anchor

__all__ = ["markdown_to_html", "page"]

#: The page's style: readable type, the first screen's four columns, compact tables.
STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       margin: 0 auto; max-width: 1260px; padding: 6px 10px; color: #1b1b1b; }
h1 { font-size: 22px; margin: 4px 0 2px; } h2 { font-size: 18px; margin: 18px 0 6px;
border-bottom: 1px solid #ddd; } h3 { font-size: 15px; margin: 14px 0 4px; }
p { margin: 4px 0 8px; } code { background: #f3f3f3; padding: 0 3px; border-radius: 3px;
font-size: 92%; } blockquote { margin: 6px 0; padding: 2px 12px; border-left: 3px solid #ccc;
color: #444; } img { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 12px; margin: 4px 0 10px; }
th, td { border: 1px solid #d6d6d6; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
details { margin: 4px 0 10px; } summary { cursor: pointer; color: #225; font-size: 13px; }
table.glance { table-layout: fixed; width: 100%; font-size: 13px; margin: 2px 0 6px; }
table.glance th { font-size: 15px; } table.glance td { padding: 4px 6px; }
table.glance img { width: 100%; max-height: 250px; object-fit: contain; }
"""

_TABLE_RULE = re.compile(r"^\|(\s*:?-+:?\s*\|)+\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def _data_uri(src: str, base: Path | None) -> str | None:
    """``src`` (a path relative to ``base``) as a ``data:`` URI, None if it is no local file."""
    if base is None or re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I) or src.startswith("#"):
        return None
    path = (base / src).resolve()
    if not path.is_file():
        return None
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline(text: str, base: Path | None) -> str:
    """Inline markdown to HTML (code spans first, so nothing inside them is touched)."""
    keep: list[str] = []

    def hold(fragment: str) -> str:
        keep.append(fragment)
        return f"\x00{len(keep) - 1}\x00"

    text = text.replace("\\|", "|")  # a table cell's escaped bar, in code spans too (as GFM)
    text = re.sub(r"`([^`]+)`", lambda m: hold(f"<code>{html.escape(m.group(1))}</code>"), text)

    def image(m: re.Match) -> str:
        alt, src = m.group(1), m.group(2)
        uri = _data_uri(src, base)
        return hold(f'<img src="{html.escape(uri or src, quote=True)}" '
                    f'alt="{html.escape(alt, quote=True)}">')

    text = re.sub(r"!\[([^\]]*)\]\(([^)\s]+)\)", image, text)

    def link(m: re.Match) -> str:
        label, href = m.group(1), m.group(2)
        if _data_uri(href, base) is not None:  # a local file: the page embeds, not links
            return label
        return f'<a href="{html.escape(href, quote=True)}">{label}</a>'

    text = html.escape(text, quote=False)
    text = re.sub(r"\[([^\]]*)\]\(([^)\s]+)\)", link, text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", text)
    text = re.sub(r"(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)", r"<em>\1</em>", text)
    while "\x00" in text:
        text = re.sub(r"\x00(\d+)\x00", lambda m: keep[int(m.group(1))], text)
    return text


def _cells(line: str) -> list[str]:
    """The cells of one table row (``\\|`` is a literal bar, not a separator)."""
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return [c.strip() for c in re.split(r"(?<!\\)\|", body)]


def markdown_to_html(text: str, base: str | Path | None = None) -> str:
    """The HTML body of the markdown ``text`` (images under ``base`` embedded).

    Parameters
    ----------
    text : str
        Markdown of the subset described in the module docstring.
    base : path, optional
        The folder relative image paths are read from (None: images are left as links).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    base = Path(base) if base is not None else None
    lines = text.splitlines()
    out: list[str] = []
    ids: dict[str, int] = {}
    section = ""
    glance_done = False
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        if stripped.startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith("```"):
                j += 1
            out.append("<pre><code>" + html.escape("\n".join(lines[i + 1:j])) + "</code></pre>")
            i = j + 1
            continue
        m = _HEADING.match(stripped)
        if m:
            level, title = len(m.group(1)), m.group(2)
            slug = anchor(re.sub(r"[`*]", "", title))
            n = ids.get(slug, 0)
            ids[slug] = n + 1
            ident = slug if n == 0 else f"{slug}-{n}"
            if level == 2:
                section = slug
            out.append(f'<h{level} id="{ident}">{_inline(title, base)}</h{level}>')
            i += 1
            continue
        if stripped.startswith("|") and i + 1 < len(lines) and _TABLE_RULE.match(
                lines[i + 1].strip()):
            head = _cells(stripped)
            rows = []
            j = i + 2
            while j < len(lines) and lines[j].strip().startswith("|"):
                rows.append(_cells(lines[j]))
                j += 1
            glance = section == "at-a-glance" and not glance_done
            glance_done = glance_done or glance
            parts = ['<table class="glance">' if glance else "<table>", "<thead><tr>"]
            parts += [f"<th>{_inline(c, base)}</th>" for c in head]
            parts.append("</tr></thead><tbody>")
            for r in rows:
                parts.append("<tr>" + "".join(f"<td>{_inline(c, base)}</td>" for c in r)
                             + "</tr>")
            parts.append("</tbody></table>")
            table = "".join(parts)
            if not glance:
                names = ", ".join(re.sub(r"[`*]", "", h) for h in head[:4])
                more = ", …" if len(head) > 4 else ""
                opened = " open" if section == anchor("1. What ran") else ""
                table = (f"<details{opened}><summary>Table ({len(rows)} row"
                         f"{'s' if len(rows) != 1 else ''}): {html.escape(names)}{more}"
                         f"</summary>{table}</details>")
            out.append(table)
            i = j
            continue
        if stripped.startswith(">"):
            j = i
            inner = []
            while j < len(lines) and lines[j].strip().startswith(">"):
                inner.append(re.sub(r"^\s*> ?", "", lines[j]))
                j += 1
            out.append("<blockquote>" + markdown_to_html("\n".join(inner), base)
                       + "</blockquote>")
            i = j
            continue
        if stripped.startswith(("- ", "* ")):
            items = []
            j = i
            while j < len(lines) and lines[j].strip().startswith(("- ", "* ")):
                items.append(lines[j].strip()[2:])
                j += 1
                while j < len(lines) and lines[j].startswith("  ") and lines[j].strip() \
                        and not lines[j].strip().startswith(("- ", "* ")):
                    items[-1] += " " + lines[j].strip()
                    j += 1
            out.append("<ul>" + "".join(f"<li>{_inline(x, base)}</li>" for x in items)
                       + "</ul>")
            i = j
            continue
        j = i
        para = []
        while j < len(lines) and lines[j].strip() and not _HEADING.match(lines[j].strip()) \
                and not lines[j].strip().startswith(("|", ">", "- ", "* ", "```")):
            para.append(lines[j].strip())
            j += 1
        if not para:  # a line only the branches above could take, malformed: keep as text
            para, j = [stripped], i + 1
        out.append(f"<p>{_inline(' '.join(para), base)}</p>")
        i = j
    return "\n".join(out)


def page(text: str, base: str | Path | None = None, title: str | None = None) -> str:
    """A whole HTML document of the markdown ``text`` (see :func:`markdown_to_html`)."""
    if title is None:
        first = next((ln for ln in text.splitlines() if ln.startswith("# ")), "# report")
        title = re.sub(r"[`*]", "", first[2:]).strip()
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n<body>\n"
            + markdown_to_html(text, base) + "\n</body></html>\n")
