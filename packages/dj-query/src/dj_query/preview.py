"""How a query shows itself: the text table of `repr` and the HTML of notebooks.

Both show the first rows in primary-key order (`display.limit`), leave out blob-like
attributes (`=BLOB=`), and report the total count when `display.show_tuple_count` is on.
"""

from __future__ import annotations

import html
from typing import Any

from dj_query.settings import setting

_BLOB = "=BLOB="


def _rows(expr: Any, limit: int) -> tuple[Any, bool]:
    shown = expr.proj(*expr.heading.non_blobs)
    rows = shown.fetch(limit=limit + 1, format="array")
    return rows[:limit], len(rows) > limit


def text_preview(expr: Any, limit: int | None = None, width: int | None = None) -> str:
    """The text table: header (key attributes starred), rule, rows, count."""
    limit = setting(expr, "display.limit", 12) if limit is None else limit
    width = setting(expr, "display.width", 14) if width is None else width
    heading = expr.heading
    rows, has_more = _rows(expr, limit)
    shown = set(rows.dtype.names or ())
    columns = heading.names
    widths = {}
    for name in columns:
        if name in shown:
            longest = max([len(name), *(len(str(value)) for value in rows[name])])
            widths[name] = min(width, longest + 4)
        else:
            widths[name] = min(width, len(_BLOB) + 4)
    primary = set(heading.primary_key)

    def cell(name: str, text: str) -> str:
        return text[: widths[name]].ljust(widths[name])

    lines = [
        " ".join(cell(n, ("*" + n) if n in primary else n) for n in columns),
        " ".join("+" + "-" * (widths[n] - 2) + "+" for n in columns),
    ]
    body = "\n".join(
        " ".join(cell(n, str(row[n]) if n in shown else _BLOB) for n in columns) for row in rows
    )
    text = "\n".join(lines) + "\n" + body + ("\n   ...\n" if has_more else "\n")
    if setting(expr, "display.show_tuple_count", True):
        text += f" (Total: {len(expr)})\n"
    return text


_STYLE = """<style type="text/css">
    .Table{border-collapse:collapse;}
    .Table th{background:#A0A0A0;color:#ffffff;padding:4px;border:#f0e0e0 1px solid;
              font-weight:normal;font-family:monospace;font-size:100%;}
    .Table td{padding:4px;border:#f0e0e0 1px solid;font-size:100%;}
    .Table tr:nth-child(odd){background:#ffffff;}
    .Table tr:nth-child(even){background:#f3f1ff;}
    .djtooltip{display:inline-block;}
    .djtooltip .djtooltiptext{visibility:hidden;}
    .djtooltip:hover .djtooltiptext{visibility:visible;}
    .primary_key{font-weight:bold;}
</style>
"""


def html_preview(expr: Any) -> str:
    """An HTML fragment: style, table comment (stored tables), table, ellipsis, count."""
    limit = setting(expr, "display.limit", 12)
    heading = expr.heading
    rows, has_more = _rows(expr, limit)
    shown = set(rows.dtype.names or ())
    primary = set(heading.primary_key)
    head = "".join(_header_cell(n, heading[n].comment, n in primary) for n in heading.names)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(row[n])) if n in shown else _BLOB}</td>" for n in heading.names
        )
        + "</tr>"
        for row in rows
    )
    comment = _table_comment(expr)
    parts = [_STYLE]
    if comment:
        parts.append(f"<b>{html.escape(comment)}</b>")
    parts.append(
        '<div style="max-height:1000px;max-width:1500px;overflow:auto;">'
        f'<table border="1" class="Table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )
    if has_more:
        parts.append("<p>...</p>")
    if setting(expr, "display.show_tuple_count", True):
        parts.append(f"<p>Total: {len(expr)}</p>")
    parts.append("</div>")
    return "".join(parts)


def _header_cell(name: str, comment: str | None, primary: bool) -> str:
    """An attribute's header cell: its name (emphasised for the primary key), with the
    attribute comment as tooltip."""
    kind = 'id="primary" class="primary_key"' if primary else 'id="nonprimary"'
    return (
        f'<th><div class="djtooltip"><p {kind}>{html.escape(name)}</p>'
        f'<span class="djtooltiptext">{html.escape(comment or "")}</span></div></th>'
    )


def _table_comment(expr: Any) -> str:
    if len(expr.support) != 1 or not isinstance(expr.support[0], str):
        return ""
    status = getattr(expr.heading, "table_status", None)
    return (status or {}).get("comment", "") if expr.heading.table_info else ""


def representation(expr: Any) -> str:
    """`repr(q)`: the text preview, or the plain object repr when logging at debug."""
    if str(setting(expr, "loglevel", "INFO")).lower() == "debug":
        return object.__repr__(expr)
    return expr.preview()
