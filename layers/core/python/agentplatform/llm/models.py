"""The model catalogue: upstream's ``LlmModel`` values, their provider and limits, and
what one call costs in platform credits.

Names are AutoGPT's, so exported agents that pick a model import unchanged. A few
models upstream has since retired stay listed because public agent exports still
name them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class ModelMetadata:
    provider: str
    context_window: int
    max_output_tokens: int | None
    cost: int  # credits per call
    display_name: str


class LlmModel(enum.StrEnum):
    # OpenAI
    O3 = "o3-2025-04-16"
    O3_MINI = "o3-mini"
    O1 = "o1"
    O1_MINI = "o1-mini"
    GPT5_1 = "gpt-5.1-2025-11-13"
    GPT5 = "gpt-5-2025-08-07"
    GPT5_MINI = "gpt-5-mini-2025-08-07"
    GPT5_NANO = "gpt-5-nano-2025-08-07"
    GPT5_CHAT = "gpt-5-chat-latest"
    GPT41 = "gpt-4.1-2025-04-14"
    GPT41_MINI = "gpt-4.1-mini-2025-04-14"
    GPT4O_MINI = "gpt-4o-mini"
    GPT4O = "gpt-4o"
    GPT4_TURBO = "gpt-4-turbo"
    GPT3_5_TURBO = "gpt-3.5-turbo"
    # Anthropic
    CLAUDE_4_1_OPUS = "claude-opus-4-1-20250805"
    CLAUDE_4_OPUS = "claude-opus-4-20250514"
    CLAUDE_4_SONNET = "claude-sonnet-4-20250514"
    CLAUDE_4_5_OPUS = "claude-opus-4-5-20251101"
    CLAUDE_4_5_SONNET = "claude-sonnet-4-5-20250929"
    CLAUDE_4_5_HAIKU = "claude-haiku-4-5-20251001"
    CLAUDE_3_7_SONNET = "claude-3-7-sonnet-20250219"
    CLAUDE_3_HAIKU = "claude-3-haiku-20240307"
    # AI/ML API
    AIML_API_QWEN2_5_72B = "Qwen/Qwen2.5-72B-Instruct-Turbo"
    AIML_API_LLAMA3_1_70B = "nvidia/llama-3.1-nemotron-70b-instruct"
    AIML_API_LLAMA3_3_70B = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
    AIML_API_META_LLAMA_3_1_70B = "meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo"
    AIML_API_LLAMA_3_2_3B = "meta-llama/Llama-3.2-3B-Instruct-Turbo"
    # Groq
    LLAMA3_3_70B = "llama-3.3-70b-versatile"
    LLAMA3_1_8B = "llama-3.1-8b-instant"
    LLAMA3_1_70B = "llama-3.1-70b-versatile"  # retired upstream; still named by public agents
    # Ollama
    OLLAMA_LLAMA3_3 = "llama3.3"
    OLLAMA_LLAMA3_2 = "llama3.2"
    OLLAMA_LLAMA3_8B = "llama3"
    OLLAMA_LLAMA3_405B = "llama3.1:405b"
    OLLAMA_DOLPHIN = "dolphin-mistral:latest"
    # OpenRouter
    GEMINI_2_5_PRO = "google/gemini-2.5-pro-preview-03-25"
    GEMINI_2_5_FLASH = "google/gemini-2.5-flash"
    GEMINI_2_0_FLASH = "google/gemini-2.0-flash-001"
    GEMINI_2_5_FLASH_LITE_PREVIEW = "google/gemini-2.5-flash-lite-preview-06-17"
    GEMINI_2_0_FLASH_LITE = "google/gemini-2.0-flash-lite-001"
    MISTRAL_NEMO = "mistralai/mistral-nemo"
    COHERE_COMMAND_R_08_2024 = "cohere/command-r-08-2024"
    COHERE_COMMAND_R_PLUS_08_2024 = "cohere/command-r-plus-08-2024"
    DEEPSEEK_CHAT = "deepseek/deepseek-chat"
    DEEPSEEK_R1_0528 = "deepseek/deepseek-r1-0528"
    PERPLEXITY_SONAR = "perplexity/sonar"
    PERPLEXITY_SONAR_PRO = "perplexity/sonar-pro"
    PERPLEXITY_SONAR_DEEP_RESEARCH = "perplexity/sonar-deep-research"
    NOUSRESEARCH_HERMES_3_LLAMA_3_1_405B = "nousresearch/hermes-3-llama-3.1-405b"
    NOUSRESEARCH_HERMES_3_LLAMA_3_1_70B = "nousresearch/hermes-3-llama-3.1-70b"
    AMAZON_NOVA_LITE_V1 = "amazon/nova-lite-v1"
    AMAZON_NOVA_MICRO_V1 = "amazon/nova-micro-v1"
    AMAZON_NOVA_PRO_V1 = "amazon/nova-pro-v1"
    MICROSOFT_WIZARDLM_2_8X22B = "microsoft/wizardlm-2-8x22b"
    GRYPHE_MYTHOMAX_L2_13B = "gryphe/mythomax-l2-13b"
    META_LLAMA_4_SCOUT = "meta-llama/llama-4-scout"
    META_LLAMA_4_MAVERICK = "meta-llama/llama-4-maverick"
    GROK_4 = "x-ai/grok-4"
    KIMI_K2 = "moonshotai/kimi-k2"
    QWEN3_235B_A22B_THINKING = "qwen/qwen3-235b-a22b-thinking-2507"
    QWEN3_CODER = "qwen/qwen3-coder"
    # Llama API
    LLAMA_API_LLAMA_4_SCOUT = "Llama-4-Scout-17B-16E-Instruct-FP8"
    LLAMA_API_LLAMA4_MAVERICK = "Llama-4-Maverick-17B-128E-Instruct-FP8"
    LLAMA_API_LLAMA3_3_8B = "Llama-3.3-8B-Instruct"
    LLAMA_API_LLAMA3_3_70B = "Llama-3.3-70B-Instruct"
    # v0 by Vercel
    V0_1_5_MD = "v0-1.5-md"
    V0_1_5_LG = "v0-1.5-lg"
    V0_1_0_MD = "v0-1.0-md"

    @property
    def metadata(self) -> ModelMetadata:
        return MODEL_METADATA[self]

    @property
    def provider(self) -> str:
        return self.metadata.provider


DEFAULT_LLM_MODEL = LlmModel.GPT4O


def _meta(provider: str, context: int, max_out: int | None, cost: int, name: str) -> ModelMetadata:
    return ModelMetadata(provider, context, max_out, cost, name)


M = LlmModel
MODEL_METADATA: dict[LlmModel, ModelMetadata] = {
    M.O3: _meta("openai", 200_000, 100_000, 4, "O3"),
    M.O3_MINI: _meta("openai", 200_000, 100_000, 2, "O3 Mini"),
    M.O1: _meta("openai", 200_000, 100_000, 16, "O1"),
    M.O1_MINI: _meta("openai", 128_000, 65_536, 4, "O1 Mini"),
    M.GPT5_1: _meta("openai", 400_000, 128_000, 5, "GPT-5.1"),
    M.GPT5: _meta("openai", 400_000, 128_000, 2, "GPT-5"),
    M.GPT5_MINI: _meta("openai", 400_000, 128_000, 1, "GPT-5 Mini"),
    M.GPT5_NANO: _meta("openai", 400_000, 128_000, 1, "GPT-5 Nano"),
    M.GPT5_CHAT: _meta("openai", 400_000, 16_384, 5, "GPT-5 Chat"),
    M.GPT41: _meta("openai", 1_047_576, 32_768, 2, "GPT-4.1"),
    M.GPT41_MINI: _meta("openai", 1_047_576, 32_768, 1, "GPT-4.1 Mini"),
    M.GPT4O_MINI: _meta("openai", 128_000, 16_384, 1, "GPT-4o Mini"),
    M.GPT4O: _meta("openai", 128_000, 16_384, 3, "GPT-4o"),
    M.GPT4_TURBO: _meta("openai", 128_000, 4_096, 10, "GPT-4 Turbo"),
    M.GPT3_5_TURBO: _meta("openai", 16_385, 4_096, 1, "GPT-3.5 Turbo"),
    M.CLAUDE_4_1_OPUS: _meta("anthropic", 200_000, 32_000, 21, "Claude Opus 4.1"),
    M.CLAUDE_4_OPUS: _meta("anthropic", 200_000, 32_000, 21, "Claude Opus 4"),
    M.CLAUDE_4_SONNET: _meta("anthropic", 200_000, 64_000, 5, "Claude Sonnet 4"),
    M.CLAUDE_4_5_OPUS: _meta("anthropic", 200_000, 64_000, 14, "Claude Opus 4.5"),
    M.CLAUDE_4_5_SONNET: _meta("anthropic", 200_000, 64_000, 9, "Claude Sonnet 4.5"),
    M.CLAUDE_4_5_HAIKU: _meta("anthropic", 200_000, 64_000, 4, "Claude Haiku 4.5"),
    M.CLAUDE_3_7_SONNET: _meta("anthropic", 200_000, 64_000, 5, "Claude 3.7 Sonnet"),
    M.CLAUDE_3_HAIKU: _meta("anthropic", 200_000, 4_096, 1, "Claude 3 Haiku"),
    M.AIML_API_QWEN2_5_72B: _meta("aiml_api", 32_000, 8_000, 1, "Qwen 2.5 72B"),
    M.AIML_API_LLAMA3_1_70B: _meta("aiml_api", 128_000, 40_000, 1, "Llama 3.1 Nemotron 70B"),
    M.AIML_API_LLAMA3_3_70B: _meta("aiml_api", 128_000, None, 1, "Llama 3.3 70B"),
    M.AIML_API_META_LLAMA_3_1_70B: _meta("aiml_api", 131_000, 2_000, 1, "Llama 3.1 70B"),
    M.AIML_API_LLAMA_3_2_3B: _meta("aiml_api", 128_000, None, 1, "Llama 3.2 3B"),
    M.LLAMA3_3_70B: _meta("groq", 128_000, 32_768, 1, "Llama 3.3 70B"),
    M.LLAMA3_1_8B: _meta("groq", 128_000, 8_192, 1, "Llama 3.1 8B"),
    M.LLAMA3_1_70B: _meta("groq", 128_000, 8_192, 1, "Llama 3.1 70B"),
    M.OLLAMA_LLAMA3_3: _meta("ollama", 8_192, None, 1, "Llama 3.3"),
    M.OLLAMA_LLAMA3_2: _meta("ollama", 8_192, None, 1, "Llama 3.2"),
    M.OLLAMA_LLAMA3_8B: _meta("ollama", 8_192, None, 1, "Llama 3"),
    M.OLLAMA_LLAMA3_405B: _meta("ollama", 8_192, None, 1, "Llama 3.1 405B"),
    M.OLLAMA_DOLPHIN: _meta("ollama", 32_768, None, 1, "Dolphin Mistral"),
    M.GEMINI_2_5_PRO: _meta("open_router", 1_050_000, 8_192, 4, "Gemini 2.5 Pro"),
    M.GEMINI_2_5_FLASH: _meta("open_router", 1_048_576, 65_535, 1, "Gemini 2.5 Flash"),
    M.GEMINI_2_0_FLASH: _meta("open_router", 1_048_576, 8_192, 1, "Gemini 2.0 Flash"),
    M.GEMINI_2_5_FLASH_LITE_PREVIEW: _meta("open_router", 1_048_576, 65_535, 1, "Gemini 2.5 Flash Lite"),
    M.GEMINI_2_0_FLASH_LITE: _meta("open_router", 1_048_576, 8_192, 1, "Gemini 2.0 Flash Lite"),
    M.MISTRAL_NEMO: _meta("open_router", 128_000, 4_096, 1, "Mistral Nemo"),
    M.COHERE_COMMAND_R_08_2024: _meta("open_router", 128_000, 4_096, 1, "Command R"),
    M.COHERE_COMMAND_R_PLUS_08_2024: _meta("open_router", 128_000, 4_096, 3, "Command R+"),
    M.DEEPSEEK_CHAT: _meta("open_router", 64_000, 2_048, 1, "DeepSeek Chat"),
    M.DEEPSEEK_R1_0528: _meta("open_router", 163_840, 163_840, 1, "DeepSeek R1"),
    M.PERPLEXITY_SONAR: _meta("open_router", 127_000, 8_000, 1, "Perplexity Sonar"),
    M.PERPLEXITY_SONAR_PRO: _meta("open_router", 200_000, 8_000, 5, "Perplexity Sonar Pro"),
    M.PERPLEXITY_SONAR_DEEP_RESEARCH: _meta("open_router", 128_000, 16_000, 10, "Sonar Deep Research"),
    M.NOUSRESEARCH_HERMES_3_LLAMA_3_1_405B: _meta("open_router", 131_000, 4_096, 1, "Hermes 3 405B"),
    M.NOUSRESEARCH_HERMES_3_LLAMA_3_1_70B: _meta("open_router", 12_288, 12_288, 1, "Hermes 3 70B"),
    M.AMAZON_NOVA_LITE_V1: _meta("open_router", 300_000, 5_120, 1, "Nova Lite"),
    M.AMAZON_NOVA_MICRO_V1: _meta("open_router", 128_000, 5_120, 1, "Nova Micro"),
    M.AMAZON_NOVA_PRO_V1: _meta("open_router", 300_000, 5_120, 1, "Nova Pro"),
    M.MICROSOFT_WIZARDLM_2_8X22B: _meta("open_router", 65_536, 4_096, 1, "WizardLM 2 8x22B"),
    M.GRYPHE_MYTHOMAX_L2_13B: _meta("open_router", 4_096, 4_096, 1, "MythoMax L2 13B"),
    M.META_LLAMA_4_SCOUT: _meta("open_router", 131_072, 131_072, 1, "Llama 4 Scout"),
    M.META_LLAMA_4_MAVERICK: _meta("open_router", 1_048_576, 1_000_000, 1, "Llama 4 Maverick"),
    M.GROK_4: _meta("open_router", 256_000, 256_000, 9, "Grok 4"),
    M.KIMI_K2: _meta("open_router", 131_000, 131_000, 1, "Kimi K2"),
    M.QWEN3_235B_A22B_THINKING: _meta("open_router", 262_144, 262_144, 1, "Qwen3 235B Thinking"),
    M.QWEN3_CODER: _meta("open_router", 262_144, 262_144, 9, "Qwen3 Coder"),
    M.LLAMA_API_LLAMA_4_SCOUT: _meta("llama_api", 128_000, 4_028, 1, "Llama 4 Scout"),
    M.LLAMA_API_LLAMA4_MAVERICK: _meta("llama_api", 128_000, 4_028, 1, "Llama 4 Maverick"),
    M.LLAMA_API_LLAMA3_3_8B: _meta("llama_api", 128_000, 4_028, 1, "Llama 3.3 8B"),
    M.LLAMA_API_LLAMA3_3_70B: _meta("llama_api", 128_000, 4_028, 1, "Llama 3.3 70B"),
    M.V0_1_5_MD: _meta("v0", 128_000, 64_000, 1, "v0 1.5 MD"),
    M.V0_1_5_LG: _meta("v0", 512_000, 64_000, 1, "v0 1.5 LG"),
    M.V0_1_0_MD: _meta("v0", 128_000, 64_000, 1, "v0 1.0 MD"),
}

AI_PROVIDERS: tuple[str, ...] = tuple(sorted({meta.provider for meta in MODEL_METADATA.values()}))

# Where each provider's API lives. An ``api_key`` credential's ``base_url`` overrides
# it; Ollama's comes from the block's ``ollama_host`` input.
PROVIDER_BASE_URLS: dict[str, str] = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
    "groq": "https://api.groq.com/openai/v1",
    "open_router": "https://openrouter.ai/api/v1",
    "aiml_api": "https://api.aimlapi.com/v2",
    "llama_api": "https://api.llama.com/compat/v1",
    "v0": "https://api.v0.dev/v1",
}
