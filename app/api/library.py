"""JSON endpoints for the insight library: search, an insight, stars, heard before, links."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, url_for
from flask_login import current_user

from app.api import bp
from app.api.views import integer, json_body, text
from app.capture.services import photo_json
from app.db import is_id
from app.debriefs import board as ops
from app.debriefs import services as debriefs
from app.errors import DomainError, NotAllowed
from app.extensions import db
from app.insights import services
from app.insights.search import Hit, SearchResult, read_filters, search
from app.insights.services import Similar
from app.text import clean_text


def _hit_json(hit: Hit) -> dict[str, Any]:
    doc = hit.doc
    return {
        "kind": str(doc.kind),
        "id": doc.insight_id or doc.theme_id or doc.note_id,
        "title": doc.title,
        "body": doc.body,
        "snippet_html": str(hit.snippet) if hit.snippet else None,
        "programme_id": doc.programme_id,
        "programme": hit.programme,
        "debrief_id": doc.debrief_id,
        "happened_on": doc.happened_on.isoformat(),
        "published_at": doc.published_at.isoformat(),
    }


def result_json(result: SearchResult) -> dict[str, Any]:
    return {
        "query": result.filters.args(),
        "total": result.total,
        "documents": result.documents,
        "more": result.more,
        "page": result.filters.page,
        "pages": result.pages,
        "meaning_used": result.meaning_used,
        "some_words": result.some_words,
        "results": [
            {**_hit_json(g.lead), "evidence": [_hit_json(h) for h in g.evidence]}
            for g in result.groups
        ],
        "facets": {
            name: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
            for name, values in result.facets.items()
        },
    }


def similar_json(s: Similar) -> dict[str, Any]:
    return {
        "insight_id": s.insight_id,
        "statement": s.statement,
        "so_what": s.so_what,
        "programme": s.programme,
        "published_at": s.published_at.isoformat(),
        "similarity": s.score,
        "notes": s.notes,
        "link": s.link or None,
    }


@bp.get("/library")
def library_search():  # type: ignore[no-untyped-def]
    """Search; the same query arguments as the Library page."""
    return jsonify(result_json(search(db.session, read_filters(request.args))))


@bp.get("/library/insights/<int:insight_id>")
def library_insight(insight_id: int):  # type: ignore[no-untyped-def]
    page = services.insight_page(db.session, insight_id, user=current_user)
    return jsonify(
        {
            "id": page.insight.id,
            "statement": page.insight.statement,
            "so_what": page.insight.so_what,
            "theme": page.theme,
            "debrief_id": page.debrief.id,
            "debrief": page.debrief.title,
            "programme_id": page.programme.id,
            "programme": page.programme.title,
            "published_at": page.doc.published_at.isoformat(),
            "evidence": [
                {
                    "note_id": c.note.id,
                    "customer": c.title,
                    "fields": c.fields,
                    "photos": [
                        {
                            **photo_json(p),
                            # Served by the debrief, whose readers may see its cards' photos.
                            "url": url_for(
                                "debriefs.photo",
                                debrief_id=page.debrief.id,
                                photo_id=p.id,
                                size="full",
                            ),
                            "thumb_url": url_for(
                                "debriefs.photo", debrief_id=page.debrief.id, photo_id=p.id
                            ),
                        }
                        for p in c.photos
                    ],
                }
                for c in page.evidence
            ],
            "actions": [
                {
                    "id": a.id,
                    "what": a.what,
                    "owner": a.owner,
                    "due_on": a.due_on.isoformat() if a.due_on else None,
                    "status": str(a.status),
                }
                for a in page.actions
            ],
            "linked": [similar_json(s) for s in page.linked],
            "heard_before": [similar_json(s) for s in page.heard_before],
            "programmes_backing": page.programmes_backing,
            "notes_backing": page.notes_backing,
            "starred": page.starred,
        }
    )


@bp.put("/library/insights/<int:insight_id>/star")
@bp.delete("/library/insights/<int:insight_id>/star")
def library_star(insight_id: int) -> tuple[Response, int]:
    on = request.method == "PUT"
    services.set_star(db.session, insight_id, user=current_user, on=on)
    db.session.commit()
    return jsonify(starred=on), 200


@bp.get("/library/starred")
def library_starred():  # type: ignore[no-untyped-def]
    return jsonify(insights=[similar_json(s) for s in services.starred(db.session, current_user)])


@bp.get("/library/similar")
def library_similar():  # type: ignore[no-untyped-def]
    """Heard before: earlier insights from other programmes like the text (top 5)."""
    text = clean_text(request.args.get("text", ""), field="text", max_length=2000)
    debrief_id = request.args.get("debrief_id", "")
    programme_id = None
    if debrief_id:
        if not debrief_id.isdecimal() or not is_id(int(debrief_id)):
            raise DomainError("debrief_id must be a number.", field="debrief_id")
        programme_id = debriefs.get_debrief(
            db.session, int(debrief_id), user=current_user
        ).programme_id
    found = services.heard_before(db.session, text, programme_id=programme_id)
    return jsonify(insights=[similar_json(s) for s in found])


@bp.put("/debriefs/<int:debrief_id>/insights/<int:insight_id>/links/<int:other_id>")
def link_insight(debrief_id: int, insight_id: int, other_id: int):  # type: ignore[no-untyped-def]
    """Say that this insight confirms or contradicts one in the library ({"kind": ...})."""
    kind = text(json_body({"kind"}), "kind", max_length=20)
    debrief = debriefs.get_debrief(db.session, debrief_id, user=current_user)
    insight = ops.find_insight(debrief, insight_id)
    link = services.set_link(db.session, insight, other_id, kind, by=current_user)
    db.session.commit()
    return jsonify(kind=str(link.kind) if link else None)


@bp.post("/library/withdrawals")
def library_withdraw():  # type: ignore[no-untyped-def]
    if not current_user.is_organiser:
        raise NotAllowed("Only organisers withdraw items from the library.")
    data = json_body({"kind", "item_id", "reason"})
    record = services.withdraw(
        db.session,
        text(data, "kind", max_length=20),
        integer(data, "item_id"),
        text(data, "reason", max_length=500),
        by=current_user,
    )
    db.session.commit()
    return jsonify(id=record.id, kind=str(record.kind), item_id=record.item_id), 201
