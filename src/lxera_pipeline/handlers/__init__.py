"""Handlers: functions that react to status events. Register them in `registry`; the workflow's
own handlers live in `handlers/workflow/`. A new handler goes into a module there (or into a module
of your own that `run --handlers your.module` loads)."""
