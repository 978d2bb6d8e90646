"""Graph rules: computed schemas, validation, id re-minting and export cleaning."""
