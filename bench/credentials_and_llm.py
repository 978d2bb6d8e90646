"""Prints: credential seal/open cost (local key and moto KMS), resolve-from-store cost,
and the platform's own overhead per LLM call against a loopback stub.

    .venv/bin/python bench/credentials_and_llm.py
"""

from __future__ import annotations

import asyncio
import base64
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

N = 200


def _timed(fn, n: int = N) -> float:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def _report(label: str, payload: bytes, ctx: dict[str, str]) -> None:
    from agentplatform.integrations.crypto import open_sealed, seal

    sealed = seal(payload, ctx)
    seal_ms = _timed(lambda: seal(payload, ctx))
    open_ms = _timed(lambda: open_sealed(sealed, ctx))
    print(f"{label} : seal {seal_ms:.3f} ms, open {open_ms:.3f} ms")


def main() -> None:
    os.environ.update(
        {"TABLE_NAME": "bench", "BUCKET_NAME": "bench-values", "TRUST_ENDPOINTS_FOR_REQUESTS": "127.0.0.1"}
    )
    from local.cloud import LocalCloud

    cloud = LocalCloud(None).start()
    from agentplatform.aws import client
    from agentplatform.integrations.service import CredentialsService

    ctx = {"user_id": "u", "credentials_id": "c"}
    payload = b'{"api_key": "sk-bench"}'
    os.environ["CREDENTIALS_LOCAL_KEY"] = base64.b64encode(os.urandom(32)).decode()
    _report("local key", payload, ctx)
    os.environ["CREDENTIALS_KMS_KEY_ID"] = client("kms").create_key()["KeyMetadata"]["KeyId"]
    _report("moto KMS ", payload, ctx)
    service = CredentialsService()
    created = service.create("u", "openai", {"type": "api_key", "api_key": "sk-bench"})
    resolve_ms = _timed(lambda: service.resolve("u", created.id))
    print(f"resolve   : get+decrypt from the table {resolve_ms:.3f} ms (moto)")

    from agentplatform.llm.client import llm_call
    from agentplatform.llm.models import LlmModel
    from agentplatform.models.credentials import APIKeyCredentials
    from tests.support.llm_stub import LLMStub

    stub = LLMStub()
    creds = APIKeyCredentials(provider="openai", api_key="sk-bench", base_url=stub.openai_base_url)  # type: ignore[arg-type]
    prompt = [{"role": "user", "content": "hi"}]

    async def calls(n: int) -> float:
        samples = []
        for _ in range(n):
            start = time.perf_counter()
            await llm_call(creds, LlmModel.GPT4O, prompt)
            samples.append(time.perf_counter() - start)
        return statistics.median(samples) * 1000

    print(
        f"llm_call  : {asyncio.run(calls(100)):.3f} ms median round trip to a loopback stub (client + stub)"
    )
    stub.close()
    cloud.stop()


if __name__ == "__main__":
    main()
