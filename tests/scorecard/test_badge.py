"""The SVG badge: colour by level, escaped text, well-formed XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from mlready.scorecard.levels import Level
from mlready.scorecard.render.badge import COLOURS, render, text_width

from .factories import all_passing_run, card, static


def test_badge_text_and_colour() -> None:
    svg = render(card(static(), all_passing_run()))
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert root.attrib["aria-label"] == "mlready: 100.0 \u00b7 nearly ready"
    assert f'fill="{COLOURS[Level.NEARLY_READY]}"' in svg


def test_not_measured_badge_is_grey() -> None:
    svg = render(card())
    assert "not measured" in svg and COLOURS[Level.NOT_MEASURED] in svg


def test_label_is_escaped() -> None:
    svg = render(card(), label='<a href="x">&')
    ET.fromstring(svg)  # still well-formed
    assert "<a " not in svg and "&lt;a href=&quot;x&quot;&gt;&amp;" in svg


def test_width_grows_with_text() -> None:
    assert text_width("mlready") < text_width("mlready mlready")
    assert text_width("iiii") < text_width("MMMM")
