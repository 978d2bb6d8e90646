"""``POST /api/files/upload`` (spec §1.3 row 15, §1.5 "Files"); rules in ``files/service.py``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from starlette.concurrency import run_in_threadpool

from agentplatform.api.deps import UserId
from agentplatform.files import service
from agentplatform.models.files import UploadFileResponse

router = APIRouter(prefix="/api/files", tags=["v1", "files"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Expiration hours out of range"},
    401: {"description": "Missing or invalid token"},
    413: {"description": "File over the size limit (UPLOAD_FILE_SIZE_LIMIT_MB)"},
    415: {"description": "Forbidden file type (sniffed from the content)"},
}


@router.post("/upload", summary="Upload file to cloud storage", responses=ERRORS)
async def upload_file(
    user_id: UserId,
    file: Annotated[UploadFile, File(description="The file to upload")],
    provider: Annotated[str, Query(description="Accepted for compatibility; files go to S3")] = "gcs",
    expiration_hours: Annotated[int, Query(description="Hours until the file expires (1-48)")] = 24,
) -> UploadFileResponse:
    """Store a file for 1 to 48 hours; blocks (e.g. AgentFileInputBlock) take its ``file_uri``."""
    service.check_expiration(expiration_hours)
    limit = service.size_limit_bytes()
    if file.size is not None and file.size > limit:
        raise service.too_large(file.size)
    content = await file.read(limit + 1)  # never more than one byte past the limit
    return await run_in_threadpool(
        service.upload_file,
        user_id,
        file_name=file.filename,
        content=content,
        declared_type=file.content_type,
        expiration_hours=expiration_hours,
    )
