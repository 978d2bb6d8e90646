"""LLM providers behind the AI blocks: a model catalogue (upstream names), and clients
for OpenAI-compatible chat completions and Anthropic messages over httpx."""
