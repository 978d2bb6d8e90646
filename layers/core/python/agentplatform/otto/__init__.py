"""Otto, upstream's help assistant: a proxy to the service named by ``OTTO_API_URL``."""
