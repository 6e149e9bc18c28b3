"""A large PDF is made by an RQ worker when REDIS_URL is set."""

from __future__ import annotations

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisDown
from rq import Queue, SimpleWorker

from app.debriefs import reports
from app.debriefs.models import Report
from app.extensions import db
from tests.conftest import TEST_REDIS_URL, database_url

REDIS = TEST_REDIS_URL


@pytest.fixture
def queue():  # type: ignore[no-untyped-def]
    connection = Redis.from_url(REDIS)
    try:
        connection.ping()
    except RedisDown:
        pytest.skip("no Redis on 127.0.0.1:6379 to queue PDFs on")
    connection.flushdb()
    yield Queue("reports", connection=connection)
    connection.flushdb()
    connection.close()


def test_a_large_pdf_goes_to_the_queue_and_a_worker_makes_it(app, fieldwork, queue, monkeypatch):
    monkeypatch.setattr(reports, "INLINE_NOTES", 0)
    monkeypatch.setitem(app.config, "REPORT_QUEUE_URL", REDIS)
    monkeypatch.setenv("DATABASE_URL", database_url())  # the worker's app opens the same database
    debrief = fieldwork.open_debrief()
    report, in_background = reports.request_report(db.session, debrief, "a4")
    db.session.commit()
    assert in_background and report.status == "queued"
    reports.start(report.id)
    assert queue.count == 1

    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    db.session.expire_all()
    done = db.session.get_one(Report, report.id)
    assert done.status == "done" and done.pages and done.pages >= 3  # cover, insights, notes
