"""Duplicate investors and projects: the normalised form of a name and how two names compare.

The selector that finds a new lead's possible duplicates (`projects.selectors.duplicate_candidates`)
reads the database; what is here is pure text work, so the Excel import can use it on its rows too.

Normalising (issue #8): full width to half width and compatibility forms folded (NFKC), case
ignored, spaces dropped, and the words that only say what kind of company it is removed: 有限公司,
有限责任公司, 股份, 集团, and (中国). "浙江华友钴业股份有限公司" and "浙江 华友钴业（集团）" are then the same.
"""

import re
import unicodedata

from django.db.models import Q
from rapidfuzz import fuzz

# Company-form words, longest first so that a longer one is removed whole.
COMPANY_WORDS = ("有限责任公司", "有限公司", "(中国)", "股份", "集团")
# What is left of a bracket pair once the words inside it are gone: "(集团)" -> "()".
EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")
SPACES = re.compile(r"\s+")

# Two normalised names are "the same" at this rapidfuzz score (0-100) or above.
THRESHOLD = 85
# A name at least this long also matches inside a longer one ("华友钴业" in "浙江华友钴业").
PARTIAL_MIN_LENGTH = 4

# Bigrams too common in the bureau's names to narrow anything: a probe on them would fetch a large
# part of the table. They still count in the score; they only do not select rows.
COMMON_BIGRAMS = frozenset(
    {
        *("项目", "年产", "科技", "公司", "有限", "实业", "发展", "投资", "建设", "浙江", "衢州", "中国"),
        *("材料", "新材", "智能", "制造", "产业", "工程", "贸易", "能源", "技术", "生产", "控股", "国际"),
        *("万吨", "亿元", "万元", "基地", "园区", "一期", "二期"),
    }
)
PROBES_PER_NAME = 4
SPELLINGS_PER_NAME = 8  # LIKE patterns per name (see probes)


def normalise(text: str | None) -> str:
    """The comparable form of an investor's or a project's name ("" for none)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).lower()
    text = SPACES.sub("", text)
    for word in COMPANY_WORDS:
        text = text.replace(word, "")
    return EMPTY_BRACKETS.sub("", text)


def similarity(a: str, b: str) -> float:
    """How alike two normalised names are, 0-100: the whole strings, or the shorter one inside the
    longer when it is long enough to mean something on its own."""
    if not a or not b:
        return 0.0
    score = fuzz.ratio(a, b)
    if min(len(a), len(b)) >= PARTIAL_MIN_LENGTH:
        # One point less than the same name: an exact match ranks before a name found inside another.
        score = max(score, fuzz.partial_ratio(a, b) - 1)
    return score


def probes(key: str) -> list[str]:
    """Up to PROBES_PER_NAME bigrams of a normalised name, spread over it, common ones left out:
    a name like it shares at least one of them (a one-character typo spoils at most two).

    Every stored spelling of a probe (`spellings`) is one LIKE per row the database scans, and the
    scan's time grows with their number (about 50 ms per pattern per million projects on
    PostgreSQL), so a name gets at most SPELLINGS_PER_NAME patterns: Chinese bigrams (one spelling)
    first, a bigram of Latin letters (up to eight spellings) only within what is left."""
    grams = [key[i : i + 2] for i in range(len(key) - 1)]  # none for a single character: it says nothing
    grams = [gram for gram in dict.fromkeys(grams) if gram not in COMMON_BIGRAMS and not _has_other_case(gram)]
    if len(grams) > PROBES_PER_NAME:  # the evenly spread ones first, the others as spares
        step = (len(grams) - 1) / (PROBES_PER_NAME - 1)
        spread = list(dict.fromkeys(grams[round(i * step)] for i in range(PROBES_PER_NAME)))
        grams = spread + [gram for gram in grams if gram not in spread]
    chosen, budget = [], SPELLINGS_PER_NAME
    for gram in sorted(grams, key=lambda gram: len(spellings(gram))):  # stable: spread order among equals
        cost = len(spellings(gram))
        if len(chosen) < PROBES_PER_NAME and cost <= budget:
            chosen.append(gram)
            budget -= cost
    return sorted(chosen, key=key.index)


def _has_other_case(gram: str) -> bool:
    """A letter with a case outside ASCII: SQLite's LIKE folds only ASCII case, PostgreSQL's
    UPPER() folds more, so a probe on it could select different rows on the two."""
    return any(not char.isascii() and char.lower() != char.upper() for char in gram)


def spellings(gram: str) -> list[str]:
    """The ways a normalised bigram can be stored: its ASCII letters in either case, and the whole
    bigram in half or in full width (NFKC folds full width back). Selected with LIKE, which is
    case-sensitive on PostgreSQL and folds ASCII case on SQLite, these spellings select the same rows
    on both: every case of the half-width form is listed, and neither engine folds full-width case."""
    if not any(char.isascii() and char.isalnum() for char in gram):
        return [gram]
    forms = {""}
    for char in gram:
        cases = {char.lower(), char.upper()} if char.isascii() and char.isalpha() else {char}
        forms = {form + case for form in forms for case in cases}
    full = {"".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in form) for form in forms}
    return sorted(forms | full)


def probe_filter(field: str, key: str) -> Q:
    """Rows whose `field` contains one of the key's probes, in any stored spelling (no probe: none)."""
    condition = Q(pk__in=[])
    for gram in probes(key):
        for spelling in spellings(gram):
            condition |= Q(**{f"{field}__contains": spelling})
    return condition
