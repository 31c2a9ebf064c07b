"""The daemon behind `lxera-pipeline run`.

Parts, each in its own module: `config` (the effective configuration), `connector` (worker pool and
dedicated connections), `reconnect` (the one backoff policy), `wake` (coalesced reasons to claim),
`listener` (LISTEN, the arm/disarm wake-up protocol, the NOTIFY probe), `claimer` and `dispatcher`
(batch claims under a capacity limit), `fencing` and `context` (the handler's fenced commit),
`runner`, `outcomes` and `completer` (one delivery's attempt and its audit row), `heartbeat`
(lease renewal), `metrics` and `http` (observability), `signals` and `daemon` (lifecycle).
"""
