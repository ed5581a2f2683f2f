"""The office's monthly chart (PNG) for ``flask stats report``, drawn with matplotlib.

Kept apart from ``stats`` so only the command that draws pays for importing matplotlib
(about two seconds): the API, the console and the worker never load it.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager, pyplot
from matplotlib.ticker import PercentFormatter

from app.jobs.stats import MonthFigures
from pdf_templates.render.fonts import find_cjk_font

logger = logging.getLogger(__name__)


def _chinese_font(font_path: str) -> str | None:
    """Family name of the TrueType font the licences draw Chinese with, if there is one."""
    path = find_cjk_font(font_path or None)
    if path is None:
        return None
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def draw_monthly_chart(
    rows: list[MonthFigures], title: str, out: Path, font_path: str = ""
) -> None:
    """A PNG: cases received and decided per month (bars), on-time and satisfaction (lines)."""
    font = _chinese_font(font_path)
    # Latin letters and digits from matplotlib's own font, Chinese from the fallback.
    families = ["DejaVu Sans", font] if font else ["DejaVu Sans"]
    with contextlib.ExitStack() as stack:
        stack.enter_context(
            matplotlib.rc_context({"font.family": families, "axes.unicode_minus": False})
        )
        if font is None:
            # The figures and dates still show; say once why the labels do not.
            logger.warning("no font with Chinese glyphs: the chart's Chinese labels are blank")
            stack.enter_context(warnings.catch_warnings())
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        figure, counts = pyplot.subplots(figsize=(10, 5.5), dpi=120)
        try:
            positions = range(len(rows))
            counts.bar([p - 0.2 for p in positions], [r.received for r in rows], 0.4, label="收件")
            counts.bar([p + 0.2 for p in positions], [r.decided for r in rows], 0.4, label="办结")
            counts.set_ylabel("件数")
            counts.set_xticks(list(positions), [r.label for r in rows], rotation=45)
            rates = counts.twinx()
            rates.set_ylim(0, 1.05)
            rates.yaxis.set_major_formatter(PercentFormatter(1.0))
            for attribute, label, style, colour in (
                ("on_time_rate", "按时办结率", "o-", "tab:green"),
                ("satisfaction_rate", "满意率", "s--", "tab:red"),
            ):
                values = [getattr(r, attribute) for r in rows]
                rates.plot(
                    list(positions),
                    [v if v is not None else float("nan") for v in values],
                    style,
                    color=colour,
                    label=label,
                )
            handles, labels = counts.get_legend_handles_labels()
            more_handles, more_labels = rates.get_legend_handles_labels()
            counts.legend(
                handles + more_handles,
                labels + more_labels,
                loc="lower center",
                bbox_to_anchor=(0.5, 1.0),
                ncol=4,
                frameon=False,
            )
            counts.set_title(title, pad=30)
            figure.tight_layout()
            out.parent.mkdir(parents=True, exist_ok=True)
            figure.savefig(out, format="png")
        finally:
            pyplot.close(figure)
