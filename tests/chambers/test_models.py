"""Date rules of chamber agreements and events: refused by validation and by the database."""

import datetime

import pytest

from chambers.models import Agreement, Event
from tests.factories import AgreementFactory, ChamberFactory, EventFactory
from tests.model_rules import assert_db_refuses, assert_refused, assert_valid

pytestmark = pytest.mark.django_db

DAY = datetime.date(2011, 3, 1)
DAY_BEFORE = DAY - datetime.timedelta(days=1)


def test_an_agreement_cannot_expire_before_it_is_signed():
    agreement = AgreementFactory.build(chamber=ChamberFactory(), signed_on=DAY, expires_on=DAY_BEFORE)

    assert_refused(agreement, "expires_on", "到期日期不能早于签订日期。")


@pytest.mark.parametrize("expires_on", [None, DAY, datetime.date(2016, 2, 29)])
def test_an_agreement_may_expire_on_or_after_signing_or_never(expires_on):
    agreement = AgreementFactory.build(chamber=ChamberFactory(), signed_on=DAY, expires_on=expires_on)

    assert_valid(agreement)


def test_the_database_refuses_an_agreement_expiring_before_signing():
    agreement = AgreementFactory(signed_on=DAY)

    assert_db_refuses(
        lambda: Agreement.objects.filter(pk=agreement.pk).update(expires_on=DAY_BEFORE),
        "agreement_expires_after_signed",
    )

    agreement.refresh_from_db()
    assert agreement.expires_on is None


def test_an_event_cannot_end_before_it_starts():
    event = EventFactory.build(starts_on=DAY, ends_on=DAY_BEFORE)

    assert_refused(event, "ends_on", "结束日期不能早于开始日期。")


@pytest.mark.parametrize("ends_on", [None, DAY, datetime.date(2011, 3, 3)])
def test_an_event_may_end_on_or_after_its_first_day(ends_on):
    assert_valid(EventFactory.build(starts_on=DAY, ends_on=ends_on))


def test_the_database_refuses_an_event_ending_before_it_starts():
    event = EventFactory(starts_on=DAY, ends_on=DAY)

    assert_db_refuses(lambda: Event.objects.filter(pk=event.pk).update(ends_on=DAY_BEFORE), "event_ends_after_start")
    assert_db_refuses(EventFactory.build(starts_on=DAY, ends_on=DAY_BEFORE).save, "event_ends_after_start")

    event.refresh_from_db()
    assert event.ends_on == DAY
    assert Event.objects.count() == 1
