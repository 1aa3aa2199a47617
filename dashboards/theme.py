"""One look for every app: a template that makes no outside request (BootstrapTemplate;
FastListTemplate fetches web fonts), a palette, and bilingual labels."""

from __future__ import annotations

import panel as pn

ACCENT = "#0b5fa5"
WIDTH = 1366  # apps are laid out to be usable at 1366x768
PALETTE = ("#0b5fa5", "#e07b00", "#2a9d4b", "#c0392b", "#7d3c98", "#6c757d", "#17a2b8")
DEPTH_PALETTE = ("#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b")

LABELS_ZH = {
    "Scenario comparison": "情景比较", "Storm drill": "暴雨演练",
    "Sorting adoption and waste": "垃圾分类与收运", "water depth (m)": "水深 (米)",
}


def bilingual(text: str) -> str:
    """'English 中文' where a translation exists."""
    zh = LABELS_ZH.get(text)
    return f"{text} {zh}" if zh else text


def template(title: str, main: list, sidebar: list | None = None):
    """The shared page frame."""
    pn.extension(notifications=True)
    return pn.template.BootstrapTemplate(
        title=f"twin · {bilingual(title)}", header_background=ACCENT, main=main,
        sidebar=sidebar or [], sidebar_width=300)
