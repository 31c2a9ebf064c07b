"""The operator's side of the pipeline: what `lxera-pipeline events|timeline|tail|replay|dead|prune`
run. Each module takes an open connection (or a DSN) and returns plain data; the CLI renders it.

Errors an operator can cause carry an exit code: :class:`OpsInputError` (a bad filter or option),
:class:`UnknownIdError` (no such event, entity or delivery) and :class:`RefusedError` (the request
is understood but would be unsafe, e.g. replaying an event whose entity has moved on).
"""
