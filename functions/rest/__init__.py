"""One Lambda per REST API domain (see ``agentplatform.api.domains``)."""
