"""Pure rules and types: standard library only."""
