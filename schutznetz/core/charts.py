"""Server-rendered SVG bar charts.

Written here rather than taken from a charting library because what we need
is small and has two hard rules a library does not keep for us: no inline
style (the CSP forbids it, so colours are attributes) and an accessible
name. Every chart is shown next to a table with the same numbers.
"""

import hashlib
from dataclasses import dataclass
from xml.sax.saxutils import escape

PALETTE = ("#004b87", "#b35900", "#1a7f37", "#6f42c1", "#8a1538", "#3d5a80")


@dataclass
class Bar:
    label: str
    value: float | None  # None: suppressed or unknown, drawn as a gap with a note
    note: str = ""


def bar_chart_svg(
    title, bars, unit="", width=640, bar_height=22, label_width=220, colour=PALETTE[0], chart_id=None
):
    """A horizontal bar chart as an SVG string (role=img, <title> for screen readers).

    The title's id is ``chart_id`` or one derived from the title, so that several charts on one page
    each keep their own accessible name.
    """
    chart_id = chart_id or "chart-" + hashlib.sha256(str(title).encode()).hexdigest()[:10]
    gap = 8
    top = 10
    height = top + len(bars) * (bar_height + gap) + 10
    plot_width = width - label_width - 80
    known = [bar.value for bar in bars if bar.value is not None]
    maximum = max([abs(v) for v in known] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sn-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" aria-labelledby="{chart_id}">',
        f'<title id="{chart_id}">{escape(str(title))}</title>',
    ]
    for index, bar in enumerate(bars):
        y = top + index * (bar_height + gap)
        text_y = y + bar_height * 0.7
        parts.append(
            f'<text x="{label_width - 6}" y="{text_y:.1f}" text-anchor="end" font-size="13" '
            f'font-family="sans-serif" fill="#111">{escape(str(bar.label))}</text>'
        )
        if bar.value is None:
            parts.append(
                f'<text x="{label_width + 4}" y="{text_y:.1f}" font-size="12" font-family="sans-serif" '
                f'fill="#555">{escape(bar.note or "–")}</text>'
            )
            continue
        length = max(plot_width * abs(bar.value) / maximum, 1)
        value_text = f"{bar.value:g}{unit}" if not bar.note else bar.note
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{label_width + length + 4:.1f}" y="{text_y:.1f}" font-size="12" '
            f'font-family="sans-serif" fill="#111">{escape(value_text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
