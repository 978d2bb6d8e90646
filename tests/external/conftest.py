from tests.support.credentials import kms_key
from tests.support.external_fixtures import clock

__all__ = ["clock", "kms_key"]
