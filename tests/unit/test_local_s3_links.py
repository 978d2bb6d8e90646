"""The local gateway's copies of presigned S3 links (local/s3_links.py)."""

from __future__ import annotations

import pytest

from local.s3_links import local_link

SIGNED = "AWSAccessKeyId=local&Signature=abc%3D&Expires=1999999999"


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        (
            f"https://values.s3.amazonaws.com/store-media/u/f.png?{SIGNED}",
            f"/_local/s3/values/store-media/u/f.png?{SIGNED}",
        ),
        (
            f"https://values.s3.us-west-2.amazonaws.com/oauth-apps/a/logo/x.png?{SIGNED}",
            f"/_local/s3/values/oauth-apps/a/logo/x.png?{SIGNED}",
        ),
        (f"https://s3.amazonaws.com/values/k%20ey.png?{SIGNED}", f"/_local/s3/values/k%20ey.png?{SIGNED}"),
        ("https://values.s3.amazonaws.com/store-media/u/f.png", None),  # not signed
        (f"https://media.example.com/store-media/u/f.png?{SIGNED}", None),  # a public origin
        (f"http://localhost:3000/library?{SIGNED}", None),
    ],
)
def test_only_presigned_s3_urls_are_rewritten(location, expected):
    assert local_link(location) == expected
