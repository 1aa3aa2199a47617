"""One look for every app: a template that makes no outside request (BootstrapTemplate;
FastListTemplate fetches web fonts), a palette, bilingual labels and figure defaults."""

from __future__ import annotations

import panel as pn

ACCENT = "#0b5fa5"
WIDTH = 1366  # apps are laid out to be usable at 1366x768
SIDEBAR_PX = 290
PALETTE = ("#0b5fa5", "#e07b00", "#2a9d4b", "#c0392b", "#7d3c98", "#6c757d", "#17a2b8",
           "#b8860b")
DEPTH_PALETTE = ("#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b")
HOT_PALETTE = ("#fff5eb", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603")

LABELS_ZH = {
    "Scenario comparison": "情景比较", "Storm drill": "暴雨演练", "Run explorer": "运行结果浏览",
    "City timeline": "全城时间线",
    "Sorting adoption and waste": "垃圾分类与收运", "water depth (m)": "水深 (米)",
    "street water depth (m)": "路面积水深度 (米)", "time": "时间",
    "Waterlogging points": "积水点", "Pumping stations": "泵站", "Closed roads": "封闭道路",
    "New drill": "新演练", "Briefing": "简报", "drill": "演练", "district": "区",
    "overflow events": "满溢次数", "Overflow hot spots": "满溢热点",
    "Adoption, capture and purity": "参与率、分出率与纯度", "Participation by district":
    "各区参与率", "Tonnes by destination": "按去向的吨数", "Landfill": "填埋",
    "zero-landfill goal": "原生垃圾零填埋目标", "treatment capacity": "处理能力", "Plant load": "处理厂进厂量",
    "Tonnes by stream and destination": "按品类与去向的吨数", "policy": "政策",
    "Distribution per policy": "各政策分布", "Paired difference to the baseline":
    "相对基准政策的配对差值", "Time series": "时间序列", "Sensitivity": "敏感性",
    "Scenario discovery": "情景发现", "incineration": "焚烧", "digestion": "厌氧消化",
    "recycling": "回收利用", "hazardous_treatment": "有害垃圾处置", "landfill": "填埋",
    "food": "厨余垃圾", "recyclable": "可回收物", "hazardous": "有害垃圾", "residual": "其他垃圾",
    "participation": "参与率", "dashboards": "仪表板", "capture": "分出率", "purity": "纯度",
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
        sidebar=sidebar or [], sidebar_width=SIDEBAR_PX)


def style(fig, *, legend: bool = True):
    """Figure defaults shared by the apps (fonts, grid, legend that hides lines on click)."""
    fig.title.text_font_size = "11pt"
    fig.toolbar.logo = None
    fig.xaxis.axis_label_text_font_style = "normal"
    fig.yaxis.axis_label_text_font_style = "normal"
    if legend and fig.legend:
        fig.legend.click_policy = "hide"
        fig.legend.label_text_font_size = "8pt"
        fig.legend.background_fill_alpha = 0.7
    return fig


TABLE_CSS = ["table.panel-df, .dataframe {font-size: 11px !important; border-collapse: collapse;}"
             " th {background: #e8f0fe; position: sticky; top: 0;}"
             " td, th {padding: 2px 6px !important;} td {white-space: nowrap !important;}"
             " :host {overflow: auto;}"]


def table(df, **kw):
    """A read-only table in the apps' style (small font, fitting the 1366 px layout)."""
    kw.setdefault("sizing_mode", "stretch_width")
    return pn.pane.DataFrame(df, index=False, stylesheets=TABLE_CSS, float_format="{:,.3g}".format,
                             **kw)
