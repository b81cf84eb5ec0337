"""What building a response model costs, each way: `python perf/model_cost.py`.

The numbers behind the rule in app/responses.py: a `Post` and a page of 20 built with keywords
and validation, with `model_construct`, and from the record's attributes (validated), best of
five timeit runs, in microseconds.
"""

import timeit
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from app import responses
from app.pagination import PageRequest
from app.posts.repository import PostRecord
from contract import models

NOW = datetime.now(UTC)
POSTS = [
    PostRecord(
        uuid.uuid4(), "A title", "a-title", "Some text.", None, True, NOW, uuid.uuid4(), 1, NOW, NOW
    )
    for _ in range(20)
]
RECORD = POSTS[0]
PAGE = PageRequest(1, 20)


def keywords(record: PostRecord, build: Callable[..., models.Post]) -> models.Post:
    return build(
        id=record.id,
        title=record.title,
        slug=record.slug,
        content=record.content,
        excerpt=record.excerpt,
        published=record.published,
        published_at=record.published_at,
        author_id=record.author_id,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


CASES: dict[str, Callable[[], object]] = {
    "one Post, keywords, validated": lambda: keywords(RECORD, models.Post),
    "one Post, keywords, model_construct": lambda: keywords(RECORD, models.Post.model_construct),
    "one Post, from attributes, validated": lambda: responses.view(models.Post, RECORD),
    "page of 20 Posts, model_construct": lambda: models.PostPage.model_construct(
        items=[keywords(r, models.Post.model_construct) for r in POSTS],
        total=20,
        page=1,
        size=20,
        pages=1,
    ),
    "page of 20 Posts, each validated": lambda: models.PostPage(
        items=[keywords(r, models.Post) for r in POSTS], total=20, page=1, size=20, pages=1
    ),
    "page of 20 Posts, one call": lambda: responses.page(models.PostPage, POSTS, 20, PAGE),
}


def main() -> None:
    for name, build in CASES.items():
        number = 2_000 if name.startswith("page") else 20_000
        best = min(timeit.repeat(build, number=number, repeat=5)) / number
        print(f"{name:40} {best * 1e6:6.1f} us")


if __name__ == "__main__":
    main()
