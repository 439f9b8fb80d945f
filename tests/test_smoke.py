import pytest

from projects.models import Industry
from targets.models import Indicator


@pytest.mark.django_db
def test_migrations_ship_the_ten_standard_indicators_and_industries():
    assert Indicator.objects.count() == 10
    assert Industry.objects.count() >= 10
