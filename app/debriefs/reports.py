"""The debrief PDF: rendered once per board version and paper size, kept until the board changes.

Small boards render within the request (well under a second). Larger ones render in the
background so that no web request waits for layout: on RQ when REPORT_QUEUE_URL (Redis) is set,
with `flask --app wsgi reports worker` running, else on one worker thread per web process.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, Response, current_app
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from app.capture.models import Note
from app.db import DbSession, utcnow
from app.debriefs.models import Debrief, Report, ReportStatus
from app.errors import DomainError
from app.extensions import db

PAPERS = {"a4": "A4", "letter": "Letter"}
#: Boards with at most this many notes render inside the request.
INLINE_NOTES = 150
#: One render at a time per process: layout is CPU-bound and holds the whole document in memory.
_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf")
log = logging.getLogger(__name__)


def _find(session: DbSession, debrief: Debrief, paper: str) -> Report | None:
    return session.scalar(
        select(Report).where(
            Report.debrief_id == debrief.id,
            Report.board_version == debrief.version,
            Report.paper == paper,
        )
    )


def request_report(session: DbSession, debrief: Debrief, paper: str) -> tuple[Report, bool]:
    """The report of the board as it is now, and whether a background render must start."""
    if paper not in PAPERS:
        raise DomainError("The paper size is a4 or letter.", field="paper")
    report = _find(session, debrief, paper)
    if report is not None and report.status != ReportStatus.FAILED:
        return report, False
    if report is None:
        report = Report(debrief_id=debrief.id, board_version=debrief.version, paper=paper)
        try:
            with session.begin_nested():
                session.add(report)
        except IntegrityError:  # another request asked at the same moment and owns it
            found = _find(session, debrief, paper)
            if found is None:
                raise
            return found, False
        # Kept until the board changes: earlier versions' files go.
        session.execute(
            delete(Report).where(
                Report.debrief_id == debrief.id, Report.board_version < debrief.version
            )
        )
    notes = session.scalar(
        select(func.count()).where(
            Note.activity_id.in_([a.id for a in debrief.activities]), Note.deleted_at.is_(None)
        )
    )
    if (notes or 0) <= INLINE_NOTES:
        render(session, report)
        return report, False
    report.status = ReportStatus.QUEUED
    return report, True


def render(session: DbSession, report: Report) -> None:
    """Lay the report out and store the PDF; a failure is recorded, never raised to the user."""
    from app.debriefs.report import report_html  # WeasyPrint loads Pango: only when rendering
    from app.pdf import render_pdf

    report.status = ReportStatus.RENDERING
    session.flush()
    debrief = session.get_one(Debrief, report.debrief_id)
    try:
        html, fetcher = report_html(session, debrief, paper=report.paper)
        report.pdf, report.pages = render_pdf(html, fetcher)
        report.status = ReportStatus.DONE
    except Exception:
        log.exception("rendering report %s failed", report.id)
        report.status, report.error = ReportStatus.FAILED, "The PDF could not be made. Try again."
    report.finished_at = utcnow()
    session.flush()


def start(report_id: int) -> None:
    """Render in the background, after the request that asked has committed."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    queue_url = app.config.get("REPORT_QUEUE_URL")
    if queue_url:
        from redis import Redis
        from rq import Queue

        Queue("reports", connection=Redis.from_url(queue_url)).enqueue(
            render_job, report_id, job_timeout=900
        )
    else:
        _thread.submit(_render_in, app, report_id)


def _render_in(app: Flask, report_id: int) -> None:
    with app.app_context():
        try:
            report = db.session.get(Report, report_id)
            if report is not None and report.status == ReportStatus.QUEUED:
                render(db.session, report)
                db.session.commit()
        finally:
            db.session.remove()  # give the connection back, whatever happened


def render_job(report_id: int) -> None:
    """What the RQ worker runs: an app of its own, its connections closed when done."""
    from app import create_app

    app = create_app()
    try:
        _render_in(app, report_id)
    finally:
        with app.app_context():
            db.engine.dispose()


def latest(session: DbSession, debrief: Debrief) -> dict[str, Report]:
    """The reports of the current board version, by paper size."""
    rows = session.scalars(
        select(Report).where(
            Report.debrief_id == debrief.id, Report.board_version == debrief.version
        )
    )
    return {r.paper: r for r in rows}


def pdf_response(session: DbSession, report: Report, debrief: Debrief) -> Response:
    data = session.scalar(select(Report.pdf).where(Report.id == report.id)) or b""
    name = f"debrief-{debrief.id}-v{report.board_version}-{report.paper}.pdf"
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
