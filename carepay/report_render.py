"""Rendering of the audit report: tables as Markdown and HTML, charts as PNG (matplotlib, Agg backend).

Amounts are shown in CareUSD with all six decimals, computed from integer units (never floats), so a
figure in a table is the unit-exact value verify compared. Charts plot floats: they are pictures.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: files only
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
from matplotlib.ticker import MaxNLocator  # noqa: E402

UNIT = 10**6


def usd(units: int) -> str:
    """Integer units as CareUSD with six decimals: 1234567 -> "1.234567"."""
    sign = "-" if units < 0 else ""
    whole, fraction = divmod(abs(units), UNIT)
    return f"{sign}{whole:,}.{fraction:06d}"


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass
class Chart:
    file: str  # PNG name, relative to the report
    title: str


@dataclass
class Section:
    title: str
    text: str = ""
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


def _md_cell(value: str) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown(title: str, intro: list[str], sections: list[Section]) -> str:
    lines = [f"# {title}", ""]
    lines += [*intro, ""]
    for section in sections:
        lines += [f"## {section.title}", ""]
        if section.text:
            lines += [section.text, ""]
        for chart in section.charts:
            lines += [f"![{chart.title}]({chart.file})", ""]
        for table in section.tables:
            lines += [f"### {table.title}", ""]
            if table.note:
                lines += [table.note, ""]
            if not table.rows:
                lines += ["(none)", ""]
                continue
            lines.append("| " + " | ".join(_md_cell(h) for h in table.headers) + " |")
            lines.append("|" + "|".join("---" for _ in table.headers) + "|")
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table.rows]
            lines.append("")
    return "\n".join(lines)


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #eee; }
.fail { color: #b00020; font-weight: bold; }
.pass { color: #116611; }
img { max-width: 100%; display: block; margin: 0.5em 0 1.5em; }
"""


def _is_number(cell: str) -> bool:
    return bool(cell) and cell.replace(",", "").replace(".", "").replace("-", "").replace("%", "").isdigit()


def _html_cell(cell: str) -> str:
    text = html.escape(str(cell))
    if cell in ("pass", "OK"):
        return f'<td class="pass">{text}</td>'
    if cell in ("fail", "BREACHED"):
        return f'<td class="fail">{text}</td>'
    return f'<td class="num">{text}</td>' if _is_number(str(cell)) else f"<td>{text}</td>"


def html_page(title: str, intro: list[str], sections: list[Section]) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    parts += [f"<p>{html.escape(line)}</p>" for line in intro if line]
    for section in sections:
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        if section.text:
            parts.append(f"<p>{html.escape(section.text)}</p>")
        for chart in section.charts:
            parts.append(f'<img src="{html.escape(chart.file)}" alt="{html.escape(chart.title)}">')
        for table in section.tables:
            parts.append(f"<h3>{html.escape(table.title)}</h3>")
            if table.note:
                parts.append(f"<p>{html.escape(table.note)}</p>")
            if not table.rows:
                parts.append("<p>(none)</p>")
                continue
            parts.append("<table><thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in table.headers) + "</tr></thead><tbody>")
            parts += ["<tr>" + "".join(_html_cell(c) for c in row) + "</tr>" for row in table.rows]
            parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def bar_chart(
    path: Path,
    title: str,
    labels: list[str],
    series: dict[str, list[float]],
    ylabel: str,
    horizontal: bool = False,
    reference: float | None = None,
    integer: bool = False,
) -> Path:
    """Grouped bars, one group per label and one bar per series; `reference` draws a limit line."""
    figure, axes = plt.subplots(figsize=(max(6.0, 0.9 * len(labels) + 3), 4.5) if not horizontal else (9, max(3.0, 0.45 * len(labels) + 1.5)))
    try:
        if not labels:
            axes.text(0.5, 0.5, "nothing to show", ha="center", va="center", transform=axes.transAxes)
            axes.set_axis_off()
        else:
            count = max(len(series), 1)
            width = 0.8 / count
            positions = range(len(labels))
            for n, (name, values) in enumerate(series.items()):
                offsets = [p - 0.4 + width * (n + 0.5) for p in positions]
                if horizontal:
                    axes.barh(offsets, values, height=width, label=name)
                else:
                    axes.bar(offsets, values, width=width, label=name)
            if horizontal:
                axes.set_yticks(list(positions), labels, fontsize=8)
                axes.set_xlabel(ylabel)
                axes.invert_yaxis()
            else:
                axes.set_xticks(list(positions), labels, rotation=30, ha="right", fontsize=8)
                axes.set_ylabel(ylabel)
            if integer:
                (axes.xaxis if horizontal else axes.yaxis).set_major_locator(MaxNLocator(integer=True))
            if reference is not None:
                (axes.axvline if horizontal else axes.axhline)(
                    reference, color="#b00020", linestyle="--", linewidth=1, label="limit",
                )
            if len(series) > 1 or reference is not None:
                axes.legend(fontsize=8)
        axes.set_title(title)
        figure.tight_layout()
        figure.savefig(path, dpi=110, format="png")
    finally:
        plt.close(figure)
    return path
