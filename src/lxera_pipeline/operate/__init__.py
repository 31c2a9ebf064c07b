"""The operator's side of the pipeline: what the `lxera-pipeline` commands events, timeline, tail,
replay, dead, prune, archive and db do, one module per command, each holding its queries' use, its
logic and its human output (`cli/operate.py` only parses the arguments). `common` holds what they
share (errors with their exit codes, the event filter, where an entity stands now, table helpers);
`capture` and `recording` serve `replay --dry-run`.

This package sits between the CLI and the daemon: `tail` follows events with the daemon's own
LISTEN connection, and the dry run reuses its attempt bookkeeping, so it imports
`lxera_pipeline.listeners`, never the other way round.
"""
