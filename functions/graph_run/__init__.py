"""Lambda entry points: graph_run."""
