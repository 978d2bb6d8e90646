"""Shapes of ``POST /api/files/upload`` (spec §1.5 "Files")."""

from __future__ import annotations

from pydantic import BaseModel


class UploadFileResponse(BaseModel):
    file_uri: str
    file_name: str
    size: int
    content_type: str
    expires_in_hours: int
