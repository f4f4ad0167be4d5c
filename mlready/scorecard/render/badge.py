"""A shields.io-style flat SVG badge: "mlready | 72.4 · solid research code".

Self-contained (no request to shields.io, so it works in private repositories and
offline), coloured by level. Text widths are estimated from Verdana 11px advance
widths, as shields does, and every text goes through XML escaping.
"""

from __future__ import annotations

from xml.sax.saxutils import escape as xml_escape

from mlready.scorecard.levels import Level, display_score
from mlready.scorecard.model import Scorecard

COLOURS = {
    Level.PRODUCTION_READY: "#4c1",  # shields brightgreen
    Level.NEARLY_READY: "#97ca00",  # green
    Level.SOLID_RESEARCH: "#dfb317",  # yellow
    Level.PROTOTYPE: "#e05d44",  # red
    Level.NOT_MEASURED: "#9f9f9f",  # lightgrey
}
_NARROW = set("fijlrtI.,:;!|'() ")
_WIDE = set("mwMW@%")


def text_width(text: str) -> int:
    """Approximate rendered width in pixels of Verdana 11px."""
    total = 0.0
    for char in text:
        if char in _NARROW:
            total += 3.9
        elif char in _WIDE:
            total += 10.5
        elif char.isupper():
            total += 7.6
        else:
            total += 7.0
    return round(total)


def message(card: Scorecard) -> str:
    if card.score is None:
        return "not measured"
    return f"{display_score(card.score)} \u00b7 {card.level.label.lower()}"


def render(card: Scorecard, label: str = "mlready") -> str:
    """The SVG document, with a trailing newline."""
    msg = message(card)
    colour = COLOURS[card.level]
    lw, mw = text_width(label) + 10, text_width(msg) + 10
    width = lw + mw
    lx, mx = lw * 5, (lw + mw / 2) * 10
    ltl, mtl = (lw - 10) * 10, (mw - 10) * 10
    el, em = xml_escape(label), xml_escape(msg)
    aria = xml_escape(f"{label}: {msg}", {'"': "&quot;"})
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="{aria}"><title>{el}: {em}</title>'
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
        'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/>'
        f'<rect x="{lw}" width="{mw}" height="20" fill="{colour}"/>'
        f'<rect width="{width}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,'
        'sans-serif" text-rendering="geometricPrecision" font-size="110">'
        f'<text aria-hidden="true" x="{lx:g}" y="150" fill="#010101" fill-opacity=".3" '
        f'transform="scale(.1)" textLength="{ltl}">{el}</text>'
        f'<text x="{lx:g}" y="140" transform="scale(.1)" fill="#fff" '
        f'textLength="{ltl}">{el}</text>'
        f'<text aria-hidden="true" x="{mx:g}" y="150" fill="#010101" fill-opacity=".3" '
        f'transform="scale(.1)" textLength="{mtl}">{em}</text>'
        f'<text x="{mx:g}" y="140" transform="scale(.1)" fill="#fff" '
        f'textLength="{mtl}">{em}</text></g></svg>\n'
    )
