"""The daemon behind `lxera-pipeline run`, one module per part:

- `config`: the effective configuration, and which handlers the daemon knows and serves;
- `connection`: pools, dedicated connections, and the one backoff policy;
- `store`: every delivery statement (claim, fenced commit, end of an attempt, leases, stats);
- `listener`: the LISTEN connection and its wake-ups (arm, disarm, wait); it never claims;
- `worker`: the claim loop, capacity, claiming ahead, runner tasks, lease renewal;
- `attempt`: one attempt of one delivery, from the event row to its recorded outcome;
- `context`: what a handler gets (`HandlerContext`), with its one fenced transaction;
- `health`: HTTP health/readiness, Prometheus metrics, the progress log line;
- `signals`: SIGTERM/SIGINT and the stop event;
- `daemon`: the parts wired together and the lifecycle.
"""
