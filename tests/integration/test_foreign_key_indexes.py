"""Every foreign key has an index that leads with the key's first column, so deleting or updating
a referenced row (and joining child to parent) never scans the whole child table. (The composite
keys reference (id, company_id): the id column alone is selective, so an index on it serves.)"""

from __future__ import annotations

from tests.integration.schema_rows import Conn

UNINDEXED = """
select c.conrelid::regclass::text as child, c.conname
  from pg_constraint c
 where c.contype = 'f'
   and c.connamespace in ('public'::regnamespace, 'pipeline'::regnamespace)
   and not exists (select 1 from pg_index i
                    where i.indrelid = c.conrelid and i.indkey[0] = c.conkey[1])
 order by 1, 2
"""


def test_every_foreign_key_has_an_index(schema_db: Conn) -> None:
    assert schema_db.execute(UNINDEXED).fetchall() == []


def test_the_check_finds_an_unindexed_key(schema_db: Conn) -> None:
    with schema_db.transaction(force_rollback=True):
        schema_db.execute(
            "create table public.fk_probe (id int primary key,"
            " company_id uuid references public.companies (id))"
        )
        assert schema_db.execute(UNINDEXED).fetchall() == [("fk_probe", "fk_probe_company_id_fkey")]
