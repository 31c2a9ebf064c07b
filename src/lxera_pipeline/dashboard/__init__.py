"""The web dashboard: a Server-Sent Events stream of pipeline events, server-rendered pages of
the queue and the workflow's progress, and audited operator actions (`lxera-pipeline dashboard`)."""
