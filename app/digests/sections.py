"""The sections of a digest, each computed for a batch of people in a constant number of queries.

Insights: exactly what the person's For you brings (the same rules, app.feeds.matching), among
the insights published since their last digest. People who follow the same things from the
same department get the same insights, so matching is done once per such profile in a run.

Actions: the actions the person owns, not done, due within 7 days or overdue, of debriefs the
person may read (the action register's rule).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from app.actions.loop import loop_news
from app.db import DbSession
from app.debriefs.models import Action, ActionStatus, Debrief
from app.debriefs.services import readable_sql
from app.digests.build import Doc, Part, Person, Run, Section
from app.feeds import matching
from app.feeds.models import Follow
from app.feeds.services import _quotes, _search_programme, programme_names
from app.programmes.models import Programme

#: Insights shown in one digest; the rest are counted, with a link to For you.
MAX_INSIGHTS = 10
#: Actions shown in one digest.
MAX_ACTIONS = 20
#: Done actions (what came of what the person heard) shown in one digest.
MAX_LOOP = 10
#: Actions due within this many days come into the digest (overdue ones always).
DUE_SOON = 7
#: Saved searches looked up in one full-text query.
SEARCHES_PER_QUERY = 50


@dataclass
class InsightItem:
    doc: Doc
    reasons: list[str]
    programme: str
    quote: str


@dataclass
class ActionItem:
    action_id: int
    what: str
    due_on: date | None
    status: str
    programme: str
    overdue: bool


Profile = tuple[str, bool, tuple[tuple[str, str], ...]]


class Insights:
    """New insights from what the person follows (or the defaults), newest first."""

    name = "insights"

    def compute(self, session: DbSession, run: Run, people: list[Person]) -> dict[int, Part]:
        if not run.docs:
            return {}
        titles = self._titles(session, run, people)
        self._word_hits(session, run, people, titles)
        out: dict[int, Part] = {}
        shown: dict[int, list[tuple[Doc, list[str]]]] = {}
        for person in people:
            rules = self._rules(run, person, titles)
            matched = self._matched(run, person, rules)
            # The docs are newest first: the matched ones before the cutoff are new to them.
            new = bisect_left(matched, self._cutoff(run, person))
            if new:
                shown[person.user.id] = [
                    (run.docs[i], self._reasons(run, person, rules, i))
                    for i in matched[: min(new, MAX_INSIGHTS)]
                ]
                out[person.user.id] = Part([], new)
        docs = {d.insight_id: d for items in shown.values() for d, _ in items}
        quotes = _quotes(session, list(docs))
        names = programme_names(session, {str(d.programme_id) for d in docs.values()})
        for user_id, items in shown.items():
            out[user_id].items = [
                InsightItem(
                    d,
                    reasons,
                    names.get(str(d.programme_id), ("", ""))[0],
                    quotes.get(d.insight_id, ""),
                )
                for d, reasons in items
            ]
        return out

    @staticmethod
    def _cutoff(run: Run, person: Person) -> int:
        """The index of the first doc published at or before the person's last digest."""
        # Newest first, so the negated times are in ascending order for bisect.
        times: list[float] = run.cache.get("times") or run.cache.setdefault(
            "times", [-d.published_at.timestamp() for d in run.docs]
        )
        return bisect_left(times, -person.since.timestamp())

    @staticmethod
    def _titles(session: DbSession, run: Run, people: list[Person]) -> dict[str, str]:
        """Titles of the programmes people follow (named in the reasons); one query a batch."""
        known: dict[str, str] = run.cache.setdefault("titles", {})
        wanted = set()
        for person in people:
            for s in person.subscriptions:
                if s.kind == Follow.PROGRAMME and s.value not in known:
                    wanted.add(s.value)
                elif s.kind == Follow.SEARCH and (p := _search_programme(s)) and p not in known:
                    wanted.add(p)
        if wanted:
            known.update({k: v[0] for k, v in programme_names(session, wanted).items()})
        return known

    @staticmethod
    def _word_hits(
        session: DbSession, run: Run, people: list[Person], titles: dict[str, str]
    ) -> None:
        """Which new insights each saved search's words find, once per search in a run."""
        hits: dict[str, set[int]] = run.cache.setdefault("hits", {})
        todo: dict[str, matching.Rule] = {}
        for person in people:
            for s in person.subscriptions:
                new = s.kind == Follow.SEARCH and s.value not in hits and s.value not in todo
                if new and (r := matching.rule(s, titles)) is not None:
                    todo[s.value] = r
        rules = list(todo.values())
        ids = [d.id for d in run.docs]
        for start in range(0, len(rules), SEARCHES_PER_QUERY):
            matching.word_hits(session, rules[start : start + SEARCHES_PER_QUERY], ids)
        for value, r in todo.items():
            hits[value] = r.hits

    @staticmethod
    def _rules(run: Run, person: Person, titles: dict[str, str]) -> list[matching.Rule]:
        hits: dict[str, set[int]] = run.cache["hits"]
        rules = []
        for s in person.subscriptions:
            if (r := matching.rule(s, titles)) is not None:
                r.hits = hits.get(s.value, set()) if s.kind == Follow.SEARCH else r.hits
                rules.append(r)
        return rules

    @staticmethod
    def _defaults(run: Run, department: str) -> dict[int, list[str]]:
        """What the defaults bring someone of this department: doc index -> why."""
        by_department: dict[str, dict[int, list[str]]] = run.cache.setdefault("defaults", {})
        if department not in by_department:
            person = _Department(department)
            by_department[department] = {
                i: why
                for i, d in enumerate(run.docs)
                if (why := matching.default_reasons(person, set(d.keys)))  # type: ignore[arg-type]
            }
        return by_department[department]

    def _matched(self, run: Run, person: Person, rules: list[matching.Rule]) -> list[int]:
        """Indexes of the new insights the person's feed brings, newest first; once a profile."""
        profiles: dict[Profile, list[int]] = run.cache.setdefault("profiles", {})
        department = person.user.department
        key: Profile = (
            department,
            person.defaults_on,
            tuple(sorted((str(s.kind), s.value) for s in person.subscriptions)),
        )
        if key not in profiles:
            found = set(self._defaults(run, department)) if person.defaults_on else set()
            for r in rules:
                found |= self._rule_docs(run, r)
            profiles[key] = sorted(found)
        return profiles[key]

    @staticmethod
    def _rule_docs(run: Run, rule: matching.Rule) -> set[int]:
        """The new insights one way of following brings (`Rule.holds` on each), worked out once
        a run from an index of the insights by facet key."""
        by_rule: dict[tuple[str, str], set[int]] = run.cache.setdefault("rules", {})
        s = rule.subscription
        if (s.kind, s.value) not in by_rule:
            index: dict[str, set[int]] = run.cache.setdefault("index", {})
            if not index:
                for i, d in enumerate(run.docs):
                    for k in d.keys:
                        index.setdefault(k, set()).add(i)
            some = [index.get(k, set()) for k in rule.keys]
            candidates = set.intersection(*some) if some else set(range(len(run.docs)))
            by_rule[(s.kind, s.value)] = {
                i
                for i in candidates
                if rule.holds(run.docs[i], run.docs[i].keys)  # type: ignore[arg-type]
            }
        return by_rule[(s.kind, s.value)]

    def _reasons(self, run: Run, person: Person, rules: list[matching.Rule], i: int) -> list[str]:
        """Why the i-th new insight is there, in For you's words."""
        why = [r.reason for r in rules if i in self._rule_docs(run, r)]
        if person.defaults_on:
            why += self._defaults(run, person.user.department).get(i, [])
        return why


@dataclass
class _Department:
    """All the defaults read of a person: their department."""

    department: str


class Actions:
    """Actions the person owns that are not done and are due within a week, or overdue."""

    name = "actions"

    def compute(self, session: DbSession, run: Run, people: list[Person]) -> dict[int, Part]:
        owner = Action.owner_id
        rows = session.execute(
            select(Action.id, owner, Action.what, Action.due_on, Action.status, Programme.title)
            .join(Debrief, Debrief.id == Action.debrief_id)
            .join(Programme, Programme.id == Debrief.programme_id)
            .where(
                owner.in_([p.user.id for p in people]),
                Action.status != ActionStatus.DONE,
                Action.due_on.is_not(None),
                Action.due_on <= run.today + timedelta(days=DUE_SOON),
                readable_sql(owner),
            )
            .order_by(Action.due_on, Action.id)
        )
        out: dict[int, Part] = {}
        for action_id, user_id, what, due_on, status, programme in rows:
            part = out.setdefault(user_id or 0, Part([], 0))
            part.total += 1
            if len(part.items) < MAX_ACTIONS:
                overdue = due_on is not None and due_on < run.today
                part.items.append(
                    ActionItem(action_id, what, due_on, str(status), programme, overdue)
                )
        return out


#: The sections of every digest, in order: what the person promised first, it is short and
#: theirs to do. "What came of what you heard" goes here too.
class Loop:
    """What came of what the person heard: actions done, since their last digest, that answer an
    insight their notes were evidence for (app.actions.loop)."""

    name = "loop"

    def compute(self, session: DbSession, run: Run, people: list[Person]) -> dict[int, Part]:
        since = min(p.since for p in people)
        news = loop_news(session, [p.user.id for p in people], since)
        out: dict[int, Part] = {}
        for person in people:
            items = [i for i in news.get(person.user.id, []) if i.told_at > person.since]
            if items:
                out[person.user.id] = Part(items[:MAX_LOOP], len(items))
        return out


SECTIONS: list[Section] = [Actions(), Loop(), Insights()]
