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


# What Panel's widgets lack for keyboard and screen-reader users, applied in the page: a
# visible focus ring and readable code text in every shadow root, names for slider handles
# (from the slider's title), and the template's sidebar list marked presentational (it holds
# no list items). Re-applied as Panel renders more of the page.
A11Y_JS = """
export function render({ el }) {
  el.style.display = 'none';
  const css = new CSSStyleSheet();
  css.replaceSync(`:focus-visible, .noUi-handle:focus {outline: 3px solid #0b5fa5 !important;
      outline-offset: 2px !important; box-shadow: 0 0 0 5px #ffffff !important}
    code {color: #202124 !important; background: #eef0f2 !important}
    .bk-slider-title, label, .bk-input, select, input, button {font-size: max(13px, 1em)}`);
  const seen = new WeakSet();
  let timer = null;
  const soon = () => { clearTimeout(timer); timer = setTimeout(() => fix(document), 50); };
  const watch = new MutationObserver(soon);
  const fix = (root) => {
    if (!seen.has(root)) {
      seen.add(root);
      if (root !== document) root.adoptedStyleSheets = [...root.adoptedStyleSheets, css];
      watch.observe(root === document ? document.body : root, {childList: true, subtree: true});
    }
    for (const h of root.querySelectorAll('.noUi-handle:not([aria-label])')) {
      const title = root.querySelector('.bk-slider-title');
      h.setAttribute('aria-label', title ? title.textContent.split(':')[0].trim() : 'slider');
    }
    for (const ul of root.querySelectorAll('ul.nav:not([role])'))
      ul.setAttribute('role', 'presentation');
    for (const e of root.querySelectorAll('*')) if (e.shadowRoot) fix(e.shadowRoot);
  };
  if (!document.adoptedStyleSheets.includes(css))
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, css];
  fix(document);
}
"""


class PageFixes(pn.custom.JSComponent):
    """An invisible component whose script applies A11Y_JS to the page."""

    _esm = A11Y_JS


def template(title: str, main: list, sidebar: list | None = None):
    """The shared page frame (with the page's accessibility fixes)."""
    pn.extension(notifications=True)
    return pn.template.BootstrapTemplate(
        title=f"twin · {bilingual(title)}", header_background=ACCENT,
        main=[*main, PageFixes(height=0, margin=0)],
        sidebar=sidebar or [], sidebar_width=SIDEBAR_PX)


def style(fig, *, legend: bool = True):
    """Figure defaults shared by the apps (fonts, grid, legend that hides lines on click)."""
    from bokeh.models import DatetimeAxis, LinearAxis, NumeralTickFormatter

    for axis in (*fig.xaxis, *fig.yaxis):  # 100,000 not 1.000e+5
        if isinstance(axis, LinearAxis) and not isinstance(axis, DatetimeAxis):
            axis.formatter = NumeralTickFormatter(format="0,0.[000]")
    fig.title.text_font_size = "11pt"
    fig.toolbar.logo = None
    fig.xaxis.axis_label_text_font_style = "normal"
    fig.yaxis.axis_label_text_font_style = "normal"
    if legend and fig.legend:
        fig.legend.click_policy = "hide"
        fig.legend.label_text_font_size = "8pt"
        fig.legend.background_fill_alpha = 0.7
    return fig


TABLE_CSS = ["table.panel-df, .dataframe {font-size: 13px !important; border-collapse: collapse;}"
             " th {background: #e8f0fe; position: sticky; top: 0;}"
             " td, th {padding: 2px 6px !important;} td {white-space: nowrap !important;}"
             " :host {overflow: auto;}"]


def table(df, **kw):
    """A read-only table in the apps' style (small font, fitting the 1366 px layout)."""
    kw.setdefault("sizing_mode", "stretch_width")
    return pn.pane.DataFrame(df, index=False, stylesheets=TABLE_CSS, float_format="{:,.3g}".format,
                             **kw)
