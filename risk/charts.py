"""Charts as server-side SVG (no script, no CDN): bars per period, lines per series, with their numbers.

Each function returns SVG text with every label escaped; templates mark it safe. Sizes are in px.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

#: Series colours, in order (colour-blind safe: Okabe-Ito).
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000", "#999999")
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 36, 22, 8


def _frame(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' role="img" aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def _axis(width: int, height: int, top: float, labels: Sequence[str], step: int) -> list[str]:
    plot_h = height - PAD_BOTTOM - PAD_TOP
    parts = [
        f'<line x1="{PAD_LEFT}" y1="{height - PAD_BOTTOM}" x2="{width}" y2="{height - PAD_BOTTOM}" stroke="#888"/>',
        f'<text x="{PAD_LEFT - 4}" y="{PAD_TOP + 8}" font-size="10" text-anchor="end">{top:g}</text>',
        f'<text x="{PAD_LEFT - 4}" y="{PAD_TOP + plot_h}" font-size="10" text-anchor="end">0</text>',
    ]
    slot = (width - PAD_LEFT) / max(1, len(labels))
    for index, label in enumerate(labels):
        if index % step == 0:
            x = PAD_LEFT + slot * (index + 0.5)
            text = f'<text x="{x:.1f}" y="{height - 6}" font-size="10" text-anchor="middle">{escape(label)}</text>'
            parts.append(text)
    return parts


def _nice_top(value: float) -> float:
    """The axis top: the maximum rounded up to 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 1.0
    while power * 10 <= value:
        power *= 10
    return next(power * f for f in (1, 2, 5, 10) if power * f >= value)


def bar_chart(
    values: Sequence[float], labels: Sequence[str], title: str, *, width: int = 480, height: int = 140
) -> str:
    """One bar per period (its value in the bar's tooltip)."""
    top = _nice_top(max(values, default=0))
    plot_h, slot = height - PAD_BOTTOM - PAD_TOP, (width - PAD_LEFT) / max(1, len(values))
    body = _axis(width, height, top, labels, max(1, len(labels) // 8))
    for index, value in enumerate(values):
        bar_h = plot_h * value / top
        x, y = PAD_LEFT + slot * index + slot * 0.15, height - PAD_BOTTOM - bar_h
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bar_h:.1f}" fill="{PALETTE[0]}">')
        body.append(f"<title>{escape(labels[index])}: {value:g}</title></rect>")
    return _frame(width, height, title, body)


def line_chart(
    series: Mapping[str, Sequence[float | None]],
    labels: Sequence[str],
    title: str,
    *,
    colours: Mapping[str, str] | None = None,
    width: int = 480,
    height: int = 160,
) -> str:
    """One line per series (None: no value in that period), with a legend."""
    top = _nice_top(max((v for values in series.values() for v in values if v is not None), default=0))
    plot_h, slot = height - PAD_BOTTOM - PAD_TOP - 14, (width - PAD_LEFT) / max(1, len(labels))
    body = _axis(width, height - 14, top, labels, max(1, len(labels) // 8))
    for number, (name, values) in enumerate(series.items()):
        colour = (colours or {}).get(name, PALETTE[number % len(PALETTE)])
        points = [
            f"{PAD_LEFT + slot * (i + 0.5):.1f},{PAD_TOP + plot_h - plot_h * v / top:.1f}"
            for i, v in enumerate(values)
            if v is not None
        ]
        if points:
            body.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(points)}"/>')
        legend_x = PAD_LEFT + number * 110
        body.append(f'<rect x="{legend_x}" y="{height - 10}" width="10" height="8" fill="{colour}"/>')
        body.append(f'<text x="{legend_x + 14}" y="{height - 2}" font-size="10">{escape(name)}</text>')
    return _frame(width, height, title, body)
