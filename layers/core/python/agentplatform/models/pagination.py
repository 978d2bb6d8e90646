"""Page information of list responses, apart from the execution models that also use it."""

from __future__ import annotations

from pydantic import BaseModel


class Pagination(BaseModel):
    total_items: int
    total_pages: int
    current_page: int
    page_size: int
