"""``agentplatform``: the command line (run agents, inspect runs, serve the local cloud)."""
