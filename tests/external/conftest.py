from tests.support.credentials import kms_key
from tests.support.external_fixtures import clock
from tests.support.oauth_stub import oauth_stub

__all__ = ["clock", "kms_key", "oauth_stub"]
