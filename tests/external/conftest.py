from tests.support.credentials import kms_key

__all__ = ["kms_key"]
