-- Archive for old content (the seed's "archive strategy"): a published module and everything that
-- hangs under it (quality assessments, enhancement sessions, multimedia sessions, assets, slide
-- presentations, narrations) move out of the workflow tables into one archive row, and back.
-- `lxera-pipeline archive content --older-than AGE` and `lxera-pipeline archive restore ID`.
--
-- * One row per archived module in pipeline.content_archive: the family's rows as JSON, table by
--   table (to_jsonb of each row, so every column and value comes back as it was: timestamps to
--   the microsecond, numerics with their scale, arrays, jsonb). The workflow tables keep their
--   shape; an archive row written before a later migration added a column restores with that
--   column NULL.
-- * Every archive and restore writes pipeline.content_archive_log (who, when, how many rows of
--   each table) in the same transaction as the move.
-- * The media files themselves stay where they are (storage is not the database's); the asset
--   rows that point at them move with the module and come back unchanged.
-- * Events and deliveries are history and stay in pipeline.events (prune handles those).

create table pipeline.content_archive (
    content_id    uuid primary key,
    company_id    uuid not null,
    plan_id       uuid,
    published_at  timestamptz not null,   -- the module's updated_at when it was archived
    archived_at   timestamptz not null default clock_timestamp(),
    archived_by   text not null,
    row_counts    jsonb not null,         -- {"<table>": n, ...}
    rows          jsonb not null          -- {"<table>": [row, ...], ...}
);
create index content_archive_company_idx on pipeline.content_archive (company_id);
create index content_archive_archived_at_idx on pipeline.content_archive (archived_at);

create table pipeline.content_archive_log (
    log_id      bigint generated always as identity primary key,
    content_id  uuid not null,
    company_id  uuid not null,
    action      text not null check (action in ('archive', 'restore')),
    actor       text not null,
    at          timestamptz not null default clock_timestamp(),
    row_counts  jsonb not null
);
create index content_archive_log_content_idx on pipeline.content_archive_log (content_id, log_id);

-- The tables of a module's family, in the order restore inserts them (parents first). Every one
-- carries content_id; deleting the module cascades to all the others.
create function pipeline.content_family_tables() returns text[]
language sql immutable as $$
    select array['cm_module_content', 'cm_quality_assessments', 'cm_enhancement_sessions',
                 'mm_multimedia_sessions', 'mm_multimedia_assets', 'mm_slide_presentations',
                 'mm_audio_narrations']
$$;

-- Why a module cannot be archived now (NULL: it can). Called again under the module's lock by
-- pipeline.archive_content, so a dry run and the real run apply the same rules.
create function pipeline.content_archive_blocker(p_content uuid, p_cutoff timestamptz)
returns text
language plpgsql stable set search_path = pg_catalog, pg_temp as $$
declare
    v_content public.cm_module_content;
    v_entities uuid[];
begin
    select * into v_content from public.cm_module_content c where c.content_id = p_content;
    if not found then
        return 'no such module';
    end if;
    if v_content.status <> 'published' then
        return format('status is %s, not published', v_content.status);
    end if;
    if v_content.updated_at >= p_cutoff then
        return 'published after the cut-off';
    end if;
    -- A newer version points at it (parent_content_id): deleting would cut that link.
    if exists (select 1 from public.cm_module_content n
                where n.parent_content_id = p_content and n.content_id <> p_content) then
        return 'a newer version refers to it';
    end if;
    if exists (select 1 from public.cm_course_plans p
                where p.plan_id = v_content.plan_id
                  and p.status not in ('delivered', 'failed')) then
        return 'its course plan is still in progress';
    end if;
    -- Unfinished work on any row of the family: a handler may still read or write it.
    v_entities := array(select p_content
                        union all
                        select s.session_id from public.mm_multimedia_sessions s
                         where s.content_id = p_content
                        union all
                        select x.session_id from public.cm_enhancement_sessions x
                         where x.content_id = p_content);
    if exists (select 1 from pipeline.deliveries d
                where d.state in ('pending', 'running') and d.entity_id = any (v_entities))
       or exists (select 1 from pipeline.events e  -- committed, not routed yet
                   where e.entity_id = any (v_entities)
                     and not pg_visible_in_snapshot(
                             e.txid, (select r.last_snapshot from pipeline.router_state r))) then
        return 'it has unfinished deliveries';
    end if;
    -- An asset of another module derived from one of its assets (parent_asset_id).
    if exists (select 1
                 from public.mm_multimedia_assets a
                 join public.mm_multimedia_assets child on child.parent_asset_id = a.asset_id
                where a.content_id = p_content and child.content_id <> p_content) then
        return 'another module''s asset derives from its assets';
    end if;
    return null;
end
$$;

-- Move one module's family into the archive. Returns the row counts per table, or raises with
-- the blocker's reason (SQLSTATE 55000, object_not_in_prerequisite_state).
create function pipeline.archive_content(p_content uuid, p_cutoff timestamptz, p_actor text)
returns jsonb
language plpgsql set search_path = pg_catalog, pg_temp as $$
declare
    v_content public.cm_module_content;
    v_reason text;
    v_table text;
    v_rows jsonb := '{}'::jsonb;
    v_counts jsonb := '{}'::jsonb;
    v_part jsonb;
begin
    -- Lock the module and its sessions first: a writer adding a child row (its foreign key
    -- takes a key-share lock on the parent) finishes before the rows are read, or waits and
    -- then fails on the deleted parent. Nothing is read before the locks are held. A module
    -- whose rows a handler holds is not waited for long (the caller reports it as busy).
    perform set_config('lock_timeout', '5s', true);
    select * into v_content from public.cm_module_content c
     where c.content_id = p_content for update;
    perform 1 from public.mm_multimedia_sessions s where s.content_id = p_content for update;
    perform 1 from public.cm_quality_assessments q where q.content_id = p_content for update;
    v_reason := pipeline.content_archive_blocker(p_content, p_cutoff);
    if v_reason is not null then
        raise exception 'module % cannot be archived: %', p_content, v_reason
            using errcode = 'object_not_in_prerequisite_state';
    end if;
    foreach v_table in array pipeline.content_family_tables() loop
        execute format('select coalesce(jsonb_agg(to_jsonb(t)), ''[]''::jsonb)'
                       '  from public.%I t where t.content_id = $1', v_table)
           into v_part using p_content;
        v_rows := v_rows || jsonb_build_object(v_table, v_part);
        v_counts := v_counts || jsonb_build_object(v_table, jsonb_array_length(v_part));
    end loop;
    insert into pipeline.content_archive
           (content_id, company_id, plan_id, published_at, archived_by, row_counts, rows)
    values (p_content, v_content.company_id, v_content.plan_id, v_content.updated_at, p_actor,
            v_counts, v_rows);
    -- The family goes with the module (every child's foreign key cascades).
    delete from public.cm_module_content c where c.content_id = p_content;
    insert into pipeline.content_archive_log (content_id, company_id, action, actor, row_counts)
    values (p_content, v_content.company_id, 'archive', p_actor, v_counts);
    return v_counts;
end
$$;

-- Put an archived module's family back exactly as it was archived. The rows are inserted with
-- session_replication_role = replica for the length of the inserts: they are not new rows but
-- old ones coming back, so the status triggers must not check them as inserts nor emit events
-- (a published module would be refused as a new row, and would restart its workflow), and the
-- updated_at triggers must not touch them. That setting needs a superuser or, from PostgreSQL 15,
-- `GRANT SET ON PARAMETER session_replication_role TO <role>`.
create function pipeline.restore_content(p_content uuid, p_actor text) returns jsonb
language plpgsql set search_path = pg_catalog, pg_temp as $$
declare
    v_archive pipeline.content_archive;
    v_table text;
    v_count bigint;
    v_role text := current_setting('session_replication_role');
    v_fk record;
begin
    delete from pipeline.content_archive a where a.content_id = p_content
    returning * into v_archive;
    if not found then
        raise exception 'module % is not in the archive', p_content
            using errcode = 'no_data_found';
    end if;
    perform set_config('session_replication_role', 'replica', true);
    foreach v_table in array pipeline.content_family_tables() loop
        execute format('insert into public.%1$I select * from'
                       ' jsonb_populate_recordset(null::public.%1$I, $1)', v_table)
          using coalesce(v_archive.rows -> v_table, '[]'::jsonb);
        get diagnostics v_count = row_count;
        if v_count <> coalesce((v_archive.row_counts ->> v_table)::bigint, 0) then
            raise exception 'restoring module %: % rows of % instead of %', p_content, v_count,
                v_table, v_archive.row_counts ->> v_table
                using errcode = 'data_corrupted';
        end if;
    end loop;
    perform set_config('session_replication_role', v_role, true);
    -- The triggers were off, foreign keys included: check every foreign key of the restored rows
    -- here (a user, plan or company deleted since the archive makes the restore fail whole).
    for v_fk in
        select c.conname, c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent,
               array(select quote_ident(a.attname) from unnest(c.conkey) with ordinality k(n, i)
                       join pg_catalog.pg_attribute a
                         on a.attrelid = c.conrelid and a.attnum = k.n order by k.i) as cols,
               array(select quote_ident(a.attname) from unnest(c.confkey) with ordinality k(n, i)
                       join pg_catalog.pg_attribute a
                         on a.attrelid = c.confrelid and a.attnum = k.n order by k.i) as refs
          from pg_catalog.pg_constraint c
         where c.contype = 'f'
           and c.conrelid = any (array(select ('public.' || quote_ident(t))::regclass
                                         from unnest(pipeline.content_family_tables()) t))
         order by c.conrelid::regclass::text, c.conname  -- the same first refusal everywhere
    loop
        execute format(
            'select count(*) from %s t where t.content_id = $1 and (%s) is not null'
            ' and not exists (select 1 from %s p where (%s) = (%s))',
            v_fk.child,
            (select string_agg('t.' || c, ', ') from unnest(v_fk.cols) c),
            v_fk.parent,
            (select string_agg('p.' || c, ', ') from unnest(v_fk.refs) c),
            (select string_agg('t.' || c, ', ') from unnest(v_fk.cols) c))
          into v_count using p_content;
        if v_count > 0 then
            raise exception 'module % cannot be restored: % of its % rows refer to a missing % (%)',
                p_content, v_count, v_fk.child, v_fk.parent, v_fk.conname
                using errcode = 'foreign_key_violation';
        end if;
    end loop;
    insert into pipeline.content_archive_log (content_id, company_id, action, actor, row_counts)
    values (p_content, v_archive.company_id, 'restore', p_actor, v_archive.row_counts);
    return v_archive.row_counts;
end
$$;

revoke all on function pipeline.archive_content(uuid, timestamptz, text) from public;
revoke all on function pipeline.restore_content(uuid, text) from public;
revoke all on function pipeline.content_archive_blocker(uuid, timestamptz) from public;
