"""The bulletin's drafted text (一月一通报): sentences in the wording of the bureau's own bulletins,
written from a month's stored report rows, and from the month before when that report exists.

Pure functions over ReportRows (their indicator and unit loaded): nothing here reads projects, so
the text always says what the report's tables say.

    1-11月，全市招商引资协议引资额410.5亿元，完成年度目标的128.3%，超序时进度36.6个百分点。
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from targets.models import Indicator, ReportRow
from targets.templatetags.figures import WAN_PER_YI

LEADERS_NAMED = 3  # units named as leading an indicator
RANK_MOVE_NOTABLE = 2  # a unit that moved this many places or more since last month is named
CHINESE_ORDINALS = "一二三四五六七八九十"


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Draft:
    title: str
    sections: list[Section]

    @property
    def text(self) -> str:
        """The whole draft as plain text, ready to paste into the bureau's own document."""
        blocks = [self.title]
        for section in self.sections:
            blocks.append(section.heading)
            blocks.extend(section.paragraphs)
        return "\n".join(blocks)


# --- Words for figures ----------------------------------------------------------------------------


def period_words(month: int) -> str:
    """The year to date as "1-11月"; January is just "1月"."""
    return "1月" if month == 1 else f"1-{month}月"


def figure_words(value: Decimal, indicator: Indicator) -> str:
    """A figure as a bulletin writes it: "410.5亿元", "350万元", "144个" (no space, no trailing zeros);
    亿元 from one 亿 up, as the tables (templatetags/figures.py) show them."""
    if not indicator.is_amount:
        return f"{value:.0f}个"
    if abs(value) >= WAN_PER_YI:
        return f"{_plain((value / WAN_PER_YI).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP))}亿元"
    return f"{_plain(value)}万元"


def _plain(value: Decimal) -> str:
    """Without trailing zeros and never in exponent form (Decimal("4E+2") would print so)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def pace_words(completion: Decimal, progress: Decimal) -> str:
    """How far ahead of or behind the calendar (序时进度), in 百分点."""
    gap = completion - progress
    if gap > 0:
        return f"超序时进度{_plain(gap)}个百分点"
    if gap < 0:
        return f"低于序时进度{_plain(-gap)}个百分点"
    return "与序时进度持平"


def reached_sentence(row: ReportRow, month: int, scope: str = "全市") -> str:
    """One indicator's figure: what was reached, its completion of the year's target and its pace."""
    reached = f"{period_words(month)}，{scope}{row.indicator.name}{figure_words(row.ytd_value, row.indicator)}"
    if row.target is None:
        return f"{reached}（未下达年度目标）。"
    if not row.target:
        return f"{reached}（年度目标为零，不计完成率）。"
    if row.completion_pct is None:  # a ratio too large for its column (figures.round_pct)
        return f"{reached}，年度目标{figure_words(row.target, row.indicator)}。"
    return f"{reached}，完成年度目标的{row.completion_pct}%，{pace_words(row.completion_pct, row.time_progress_pct)}。"


# --- Units ----------------------------------------------------------------------------------------


def leaders_sentence(unit_rows: Sequence[ReportRow]) -> str | None:
    """The best-ranked units (or groups) with a completion rate, by rank."""
    ranked = sorted((r for r in unit_rows if r.completion_pct is not None), key=lambda r: (r.rank or 0, r.scope_code))
    if not ranked:
        return None
    named = "、".join(f"{r.scope.name}（{r.completion_pct}%）" for r in ranked[:LEADERS_NAMED])
    return f"完成率居前的是{named}"


def laggards_sentence(unit_rows: Sequence[ReportRow]) -> str | None:
    """The units behind the calendar (略滞后 or 滞后), the furthest behind first."""
    behind = [r for r in unit_rows if r.pace in (ReportRow.Pace.LAGGING, ReportRow.Pace.BEHIND)]
    if not behind:
        return None
    behind.sort(key=lambda r: (r.completion_pct - r.time_progress_pct, r.scope_code))
    named = "、".join(
        f"{r.scope.name}（完成{r.completion_pct}%，{pace_words(r.completion_pct, r.time_progress_pct)}）"
        for r in behind
    )
    return f"低于序时进度的有{named}"


def zero_target_sentence(unit_rows: Sequence[ReportRow]) -> str | None:
    """Units given a target of zero: there is no completion rate to rank or pace them by."""
    zero = [r.scope.name for r in unit_rows if r.target is not None and not r.target]
    return f"年度目标为零、不计完成率的有{'、'.join(zero)}" if zero else None


def units_paragraph(indicator: Indicator, unit_rows: Sequence[ReportRow], noun: str = "单位") -> str:
    """An indicator's units (or, with noun="大组", its assessment groups): who leads, who lags."""
    leaders, laggards, zero = leaders_sentence(unit_rows), laggards_sentence(unit_rows), zero_target_sentence(unit_rows)
    if leaders is None:
        parts = [zero or f"各{noun}均未下达年度目标"]
    else:
        parts = [leaders, laggards or f"各{noun}均达到序时进度", zero]
    return f"{indicator.name}：{'；'.join(p for p in parts if p)}。"


# --- Changes from last month ----------------------------------------------------------------------


def change_words(row: ReportRow, last: ReportRow) -> str | None:
    """What moved for one scope since last month: its pace, and its rank by RANK_MOVE_NOTABLE places
    or more (units and groups), in one clause: "江山市由超序时转为滞后，排名由第1位下降至第3位"."""
    moves = []
    if row.pace and last.pace and row.pace != last.pace:
        moves.append(f"由{last.get_pace_display()}转为{row.get_pace_display()}")
    if not row.is_city and row.rank and last.rank and abs(row.rank - last.rank) >= RANK_MOVE_NOTABLE:
        direction = "上升" if row.rank < last.rank else "下降"
        moves.append(f"排名由第{last.rank}位{direction}至第{row.rank}位")
    if not moves:
        return None
    return ("全市" if row.is_city else row.scope.name) + "，".join(moves)


def changes_paragraphs(rows: Sequence[ReportRow], previous: Sequence[ReportRow]) -> list[str]:
    """Per indicator, what moved since last month, scope by scope (the city, units, groups)."""
    before = {(r.indicator_id, r.unit_id, r.group_id): r for r in previous}
    paragraphs = []
    for indicator, scoped in _by_indicator(rows):
        notes = []
        for row in scoped:
            last = before.get((row.indicator_id, row.unit_id, row.group_id))
            words = change_words(row, last) if last is not None else None
            if words:
                notes.append(words)
        if notes:
            paragraphs.append(f"{indicator.name}：{'；'.join(notes)}。")
    return paragraphs or ["与上月相比，各项指标的进度和单位排名无明显变化。"]


# --- The draft ------------------------------------------------------------------------------------


def _by_indicator(rows: Iterable[ReportRow]) -> list[tuple[Indicator, list[ReportRow]]]:
    """Rows grouped by indicator in the report's order: the city's row, the units', the groups'."""
    groups: dict[int, list[ReportRow]] = defaultdict(list)
    indicators: dict[int, Indicator] = {}
    for row in rows:
        groups[row.indicator_id].append(row)
        indicators[row.indicator_id] = row.indicator
    ordered = sorted(indicators.values(), key=lambda i: (i.position, i.code))
    return [
        (i, sorted(groups[i.pk], key=lambda r: (0 if r.is_city else 1 if r.unit_id else 2, r.scope_code)))
        for i in ordered
    ]


def bulletin_title(year: int, month: int) -> str:
    return f"全市招商引资工作通报（{year}年第{month}期）"


def draft_bulletin(
    rows: Sequence[ReportRow], *, year: int, month: int, previous: Sequence[ReportRow] | None = None
) -> Draft:
    """The bulletin's text from a month's rows (city and units), and last month's rows when there
    is a report of last month in the same year (None otherwise)."""
    overall = Section("全市总体情况")
    units, groups = Section("各单位完成情况"), Section("各大组完成情况")
    for indicator, scoped in _by_indicator(rows):
        city = next((r for r in scoped if r.is_city), None)
        if city is not None:
            overall.paragraphs.append(reached_sentence(city, month))
        unit_rows = [r for r in scoped if r.unit_id is not None]
        if unit_rows:
            units.paragraphs.append(units_paragraph(indicator, unit_rows))
        group_rows = [r for r in scoped if r.group_id is not None]
        if group_rows:
            groups.paragraphs.append(units_paragraph(indicator, group_rows, noun="大组"))
    if not overall.paragraphs:
        overall.paragraphs.append("本月通报没有指标数据。")
    sections = [overall, *(part for part in (units, groups) if part.paragraphs)]
    changes = Section("与上月相比")
    if month == 1:
        changes.paragraphs.append("本月为年度首期通报，不与上月比较。")
    elif previous is None:
        changes.paragraphs.append(f"{month - 1}月通报尚未生成，暂不比较。")
    else:
        changes.paragraphs.extend(changes_paragraphs(rows, previous))
    sections.append(changes)
    for number, part in enumerate(sections):
        part.heading = f"{CHINESE_ORDINALS[number]}、{part.heading}"
    return Draft(title=bulletin_title(year, month), sections=sections)
