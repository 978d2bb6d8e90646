"""Signed S3 links, served by the local gateway.

Deployed, a media route redirects the browser to a presigned S3 URL and S3 serves the
file. Locally the buckets live in moto, in this process, which no browser can reach:
so the gateway rewrites a redirect to a presigned S3 URL into its own ``/_local/s3/``
path (same bucket, key and query), and answers that path from the local bucket while
the link has not expired. Signatures are not checked: the local cloud signs with
placeholder credentials anyway.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

PREFIX = "/_local/s3/"
_VIRTUAL_HOST = re.compile(r"^(?P<bucket>[a-z0-9.-]+)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$")
_PATH_HOST = re.compile(r"^s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$")

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
Response = tuple[int, list[tuple[str, str]], bytes]


def local_link(location: str) -> str | None:
    """The gateway path serving a presigned S3 URL, or None for any other URL."""
    parts = urlsplit(location)
    host = parts.hostname or ""
    if match := _VIRTUAL_HOST.match(host):
        bucket, key = match["bucket"], parts.path.lstrip("/")
    elif _PATH_HOST.match(host) and "/" in parts.path.lstrip("/"):
        bucket, key = parts.path.lstrip("/").split("/", 1)
    else:
        return None
    if not parts.query:
        return None  # not a signed link
    return f"{PREFIX}{bucket}/{key}?{parts.query}"


def _expired(query: dict[str, list[str]]) -> bool:
    now = time.time()
    if "Expires" in query:  # query-string authentication, signature version 2
        return now > float(query["Expires"][0])
    if "X-Amz-Date" in query and "X-Amz-Expires" in query:  # signature version 4
        signed = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return now > signed.timestamp() + float(query["X-Amz-Expires"][0])
    return True  # unsigned: not a link this gateway handed out


def serve(path: str, raw_query: str) -> Response:
    """The object a local link names (``path`` percent-decoded, as the server gives it),
    as S3 would answer a GET of its presigned URL."""
    from agentplatform.aws import client

    bucket, _, key = path[len(PREFIX) :].partition("/")
    if _expired(parse_qs(raw_query)):
        return _error(403, "AccessDenied", "Request has expired")
    try:
        found: dict[str, Any] = client("s3").get_object(Bucket=bucket, Key=key)
    except Exception as exc:
        code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
        if code in ("NoSuchKey", "NoSuchBucket", "404"):
            return _error(404, code, "The specified key does not exist.")
        raise
    headers = [("content-type", str(found.get("ContentType") or "application/octet-stream"))]
    return 200, headers, found["Body"].read()


def _error(status: int, code: str, message: str) -> Response:
    """S3's XML error body."""
    body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return status, [("content-type", "application/xml")], (_XML_DECLARATION + body).encode()
