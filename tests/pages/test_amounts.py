from decimal import Decimal

import pytest

from projects.templatetags.amounts import amount, wan, yi


@pytest.mark.parametrize(
    ("value", "as_wan", "as_yi", "as_amount"),
    [
        (None, "—", "—", "—"),
        (Decimal("0"), "0.00", "0.00", "0.00 万元"),
        (Decimal("9999.99"), "9,999.99", "1.00", "9,999.99 万元"),
        (Decimal("10000"), "10,000.00", "1.00", "1.00 亿元"),
        (Decimal("618200"), "618,200.00", "61.82", "61.82 亿元"),
        (Decimal("189500.5"), "189,500.50", "18.95", "18.95 亿元"),
        (Decimal("125"), "125.00", "0.01", "125.00 万元"),  # 0.0125 亿 rounds half up
    ],
)
def test_amounts_read_as_the_bureau_writes_them(value, as_wan, as_yi, as_amount):
    assert (wan(value), yi(value), amount(value)) == (as_wan, as_yi, as_amount)
