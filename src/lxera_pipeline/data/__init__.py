"""The async data API: row models and repositories over the workflow tables.

Repositories are modules of async functions taking a psycopg ``AsyncConnection`` (any row factory),
so a handler runs them inside its own fenced transaction. Arguments are validated before any SQL
runs (:class:`~lxera_pipeline.data.errors.DataValidationError`); SQL lives in named queries under
``db/queries/``.
"""
