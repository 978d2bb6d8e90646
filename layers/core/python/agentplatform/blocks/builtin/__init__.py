"""Built-in blocks. Every module here is discovered by ``agentplatform.blocks.registry``."""
