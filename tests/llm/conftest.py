from tests.support.llm_stub import llm_stub

__all__ = ["llm_stub"]
