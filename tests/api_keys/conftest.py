from tests.support.external_fixtures import clock

__all__ = ["clock"]
