"""Digest composition: which articles go in a digest and in what order. Pure.

Rendering is elsewhere: plain text here for the terminal, HTML in ``bot.render``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from digest.models import Article
from digest.topics import TopicCatalog


@dataclass(frozen=True, slots=True)
class DigestSection:
    topic: str
    title: str  # the topic's display name in the reader's language
    articles: list[Article] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Digest:
    sections: list[DigestSection]

    @property
    def article_ids(self) -> list[int]:
        return [a.id for s in self.sections for a in s.articles]

    @property
    def is_empty(self) -> bool:
        return not any(s.articles for s in self.sections)


def compose_digest(
    articles: Sequence[Article], topics: Sequence[str], catalog: TopicCatalog, lang: str = "en"
) -> Digest:
    """Group articles by the reader's topics, newest first; each article appears once.

    The store gives one article per story (in the reader's language), so each story
    appears once too; its topics are those of any of its versions.

    An article on several of the reader's topics goes under the first of them in catalog
    order, so the same digest always comes out the same way.
    """
    wanted = [t for t in catalog.ids if t in set(topics)]
    newest_first = sorted(articles, key=lambda a: (a.date, a.id), reverse=True)
    sections = {t: DigestSection(t, catalog.name(t, lang)) for t in wanted}
    for article in newest_first:
        home = next((t for t in wanted if t in article.topics), None)
        if home is not None:
            sections[home].articles.append(article)
    return Digest([s for s in sections.values() if s.articles])


def render_plain(digest: Digest) -> str:
    """The digest as plain text for a terminal."""
    if digest.is_empty:
        return "Nothing new."
    out: list[str] = []
    for section in digest.sections:
        out.append(f"== {section.title} ({len(section.articles)}) ==")
        for article in section.articles:
            out.append(f"* {article.title}")
            meta = article.date.strftime("%d.%m.%Y")
            if article.source_url:
                meta += f"  {article.source_url}"
            out.append(f"  {meta}")
            others = article.other_languages()
            if others:
                out.append("  also in: " + ", ".join(
                    f"{v.lang} {v.url}" if v.url else v.lang for v in others
                ))
            out.append(f"  {article.summary}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"
