-- Collaborative editing of module content: optimistic concurrency on cm_module_content.version,
-- the previous text of every accepted edit in cm_module_content_revisions, and a human edit of
-- approved or published content sent back through the quality gate.
--
-- * An edit is an UPDATE that changes a section text (introduction, core_content,
--   practical_applications, case_studies, assessments) or the version. It must set
--   version = stored version + 1, whoever writes (the API roles and the pipeline's own handlers
--   alike); otherwise it is refused with SQLSTATE 40001 (serialization_failure, "re-read and
--   retry") and a message naming the stale version the editor started from. Status-only updates
--   are not edits and leave the version alone.
-- * Every accepted edit keeps the text it replaced (with its version) in
--   cm_module_content_revisions, written by the database; the API roles may read their company's
--   revisions and never write them.
-- * An edit through an API role (anon/authenticated) of 'approved' or 'published' content moves
--   it to 'quality_check' (new transitions approved -> quality_check and
--   published -> quality_check, mirrored in events/statuses.py), so the quality gate runs again
--   and an approved result starts a new media session (a new asset version).

alter table public.cm_module_content
    add column version integer not null default 1
        constraint cm_module_content_version_check check (version >= 1);

-- The API roles hold per-column INSERT/UPDATE on cm_module_content (see
-- 20261125000710_daemon_owned_columns.sql): an editor must be able to advance the version.
grant insert (version), update (version) on public.cm_module_content to anon, authenticated;

create table public.cm_module_content_revisions (
    revision_id             uuid primary key default gen_random_uuid(),
    content_id              uuid not null,
    company_id              uuid not null constraint cm_module_content_revisions_company_fkey
                            references public.companies (id) on delete cascade,
    version                 integer not null
                            constraint cm_module_content_revisions_version_check
                            check (version >= 1),
    replaced_by_version     integer not null,
    status                  text not null,
    introduction            text,
    core_content            text,
    practical_applications  text,
    case_studies            text,
    assessments             text,
    edited_by               uuid,  -- the editor's auth uid (JWT sub); NULL for the pipeline
    edited_via              text not null
                            constraint cm_module_content_revisions_edited_via_check
                            check (edited_via in ('api', 'pipeline')),
    created_at              timestamptz not null default now(),
    updated_at              timestamptz not null default now(),
    constraint cm_module_content_revisions_content_version_key unique (content_id, version),
    constraint cm_module_content_revisions_replaced_by_check
        check (replaced_by_version = version + 1),
    constraint cm_module_content_revisions_content_fkey foreign key (content_id, company_id)
        references public.cm_module_content (content_id, company_id) on delete cascade
);
create index cm_module_content_revisions_company_idx
    on public.cm_module_content_revisions (company_id);
create trigger cm_module_content_revisions_touch_updated_at
    before update on public.cm_module_content_revisions
    for each row execute function pipeline.touch_updated_at();
alter table public.cm_module_content_revisions enable row level security;

grant select on public.cm_module_content_revisions to anon, authenticated;
grant all on public.cm_module_content_revisions to service_role;
create policy cm_module_content_revisions_company_members_read
    on public.cm_module_content_revisions for select to authenticated
    using ((select coalesce(auth.jwt() -> 'app_metadata' ->> 'role', auth.jwt() ->> 'role'))
               = 'super_admin'
           or ((select coalesce(auth.jwt() -> 'app_metadata' ->> 'role', auth.jwt() ->> 'role'))
                   in ('company_admin', 'learner')
               and company_id = (select nullif(coalesce(
                       auth.jwt() -> 'app_metadata' ->> 'company_id',
                       auth.jwt() ->> 'company_id'), '')::uuid)));

-- True when the row's text or version differs: the UPDATE is an edit.
create function pipeline.content_edited(p_old public.cm_module_content,
                                        p_new public.cm_module_content) returns boolean
language sql immutable set search_path = pg_catalog as $$
    select p_new.version is distinct from p_old.version
        or p_new.introduction is distinct from p_old.introduction
        or p_new.core_content is distinct from p_old.core_content
        or p_new.practical_applications is distinct from p_old.practical_applications
        or p_new.case_studies is distinct from p_old.case_studies
        or p_new.assessments is distinct from p_old.assessments
$$;

-- True when the current statement runs as an API role (PostgREST switches to it with SET ROLE;
-- current_setting('role') still names it inside a SECURITY DEFINER function).
create function pipeline.api_role_writes() returns boolean
language sql stable set search_path = pg_catalog as $$
    select coalesce(current_setting('role', true), 'none') in ('anon', 'authenticated')
$$;

create function pipeline.check_content_version() returns trigger
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
begin
    if not pipeline.content_edited(old, new) then
        return new;
    end if;
    if new.version is distinct from old.version + 1 then
        raise exception 'stale version % of cm_module_content %: the stored version is %, an edit must set version = % (it set %)',
            coalesce(new.version - 1, 0), new.content_id, old.version, old.version + 1,
            coalesce(new.version::text, 'NULL')
            using errcode = 'serialization_failure',
                  constraint = 'cm_module_content_version_check',
                  detail = format('the edit was based on version %s; version %s is stored',
                                  coalesce(new.version - 1, 0), old.version),
                  hint = 're-read the row (and its version) and apply the edit again';
    end if;
    new.last_edited_at := now();
    return new;
end
$$;

create trigger cm_module_content_version
    before update on public.cm_module_content
    for each row execute function pipeline.check_content_version();

-- After an accepted edit: keep the replaced text; an API edit of approved or published content
-- sends it back to quality_check (a second UPDATE of status, so the state machine checks the
-- transition and records the event).
create function pipeline.keep_content_revision() returns trigger
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
declare
    v_api constant boolean := pipeline.api_role_writes();
begin
    if not pipeline.content_edited(old, new) then
        return null;
    end if;
    insert into public.cm_module_content_revisions
        (content_id, company_id, version, replaced_by_version, status, introduction,
         core_content, practical_applications, case_studies, assessments, edited_by,
         edited_via)
    values
        (old.content_id, old.company_id, old.version, new.version, old.status,
         old.introduction, old.core_content, old.practical_applications, old.case_studies,
         old.assessments, case when v_api then auth.uid() end,
         case when v_api then 'api' else 'pipeline' end);
    if v_api and new.status in ('approved', 'published') then
        update public.cm_module_content
           set status = 'quality_check'
         where content_id = new.content_id;
    end if;
    return null;
end
$$;

create trigger cm_module_content_revision
    after update on public.cm_module_content
    for each row execute function pipeline.keep_content_revision();

select pipeline.allow_transitions('cm_module_content', 'status', array[
    ['approved', 'quality_check'], ['published', 'quality_check']]);
