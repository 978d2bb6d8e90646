from tests.support.credentials import kms_key
from tests.support.oauth_stub import oauth_stub

__all__ = ["kms_key", "oauth_stub"]
