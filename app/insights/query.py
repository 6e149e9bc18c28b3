"""What a person types into the library's search box, read into terms the databases can use.

We read the query ourselves instead of handing it to FTS5, whose own syntax (`NEAR(`, `*`,
`col:`, unbalanced quotes) turns ordinary typing into errors. The result is rendered back as a
safe FTS5 expression, or as the web-search syntax PostgreSQL's `websearch_to_tsquery` accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.errors import DomainError
from app.text import text_problem

MAX_QUERY = 300
#: A word is letters and digits; everything else separates words, as both tokenizers do.
WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  #: one word, or a phrase of several

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass
class Query:
    #: Every group must match; a group matches when any of its terms does (OR).
    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.groups

    @property
    def plain_text(self) -> str:
        """The wanted words, for meaning-based search."""
        return " ".join(t.text for group in self.groups for t in group)

    def any_word(self) -> Query:
        """The same terms, any one of them enough."""
        return Query(groups=[[t for g in self.groups for t in g]], excluded=self.excluded)

    def fts5(self) -> str:
        """A safe FTS5 MATCH expression: every term is a quoted string."""

        def quoted(term: Term) -> str:
            return '"' + term.text.replace('"', '""') + '"'

        parts = [
            quoted(g[0]) if len(g) == 1 else "(" + " OR ".join(quoted(t) for t in g) + ")"
            for g in self.groups
        ]
        return " ".join(parts) + "".join(f" NOT {quoted(t)}" for t in self.excluded)

    def websearch(self) -> str:
        """The same query in the syntax of PostgreSQL's websearch_to_tsquery, for marking
        matches (it has no parentheses, so `a or b -c` reads as `a or (b -c)`; for finding,
        see websearch_parts)."""
        return " ".join(self.websearch_parts())

    def websearch_parts(self) -> list[str]:
        """One websearch_to_tsquery text per group of alternatives and per word left out:
        joined with && they mean what the query means."""

        def term(t: Term) -> str:
            return f'"{t.text}"' if len(t.words) > 1 else t.text

        parts = [" or ".join(term(t) for t in g) for g in self.groups]
        return parts + [f"-{term(t)}" for t in self.excluded]


def check_query(raw: object) -> str:
    """The query text, or a DomainError saying why it cannot be searched."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise DomainError("The search must be text.", field="q")
    if len(raw) > MAX_QUERY:
        raise DomainError(
            f"The search is too long ({len(raw)} characters; at most {MAX_QUERY}).", field="q"
        )
    problem = text_problem(raw)
    if problem:
        raise DomainError(problem, field="q")
    return raw.strip()


def parse(raw: str) -> Query:
    """Quoted phrases, `-word` to leave out, `OR` between alternatives; the rest is ignored."""
    query = Query()
    join_next = False
    for m in TOKEN.finditer(raw):
        negated, phrase, bare = m.group(1), m.group(2), m.group(3)
        if bare == "OR":
            join_next = bool(query.groups)
            continue
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negated, bare = "-", bare[1:]
        words = tuple(w.lower() for w in WORD.findall(phrase if phrase is not None else bare))
        if not words:
            continue
        if negated:
            query.excluded.append(Term(words))
        elif join_next:
            query.groups[-1].append(Term(words))
        else:
            query.groups.append([Term(words)])
        join_next = False
    return query
