-- Versions of a module's media. Every multimedia session of a content (and section: a
-- section_video session is versioned apart from the full module) is one media version, numbered
-- 1, 2, ... per (content, section), with who asked for it and why. A version becomes current
-- when its session completes; the previous one is kept (its rows, assets and stored objects stay;
-- the storage key carries the version) and is no longer current. Making an older completed
-- version current again is a rollback (pipeline.make_media_version_current, used by
-- `lxera-pipeline media rollback`). The assets of the current version are is_active, the others
-- not, and every asset row carries its version in version_number.
--
-- Asking for a new version:
--   * the pipeline opens one whenever content is approved (a first generation, or a revision of
--     published content that passed the quality gate again);
--   * an operator runs `lxera-pipeline media regenerate <content id> --reason ...`;
--   * an API user (company admin) inserts a mm_multimedia_sessions row for its content with
--     version_reason set; the database records it as requested via 'api' by the JWT's user.

alter table public.mm_multimedia_sessions
    add column version_reason text
        constraint mm_multimedia_sessions_version_reason_check
        check (length(version_reason) <= 500);
-- API roles hold per-column INSERT/UPDATE on sessions (20261125000710): the reason is theirs.
grant insert (version_reason), update (version_reason) on public.mm_multimedia_sessions
    to anon, authenticated;

create table public.mm_media_versions (
    version_id       uuid primary key default gen_random_uuid(),
    content_id       uuid not null,
    company_id       uuid not null constraint mm_media_versions_company_fkey
                     references public.companies (id) on delete cascade,
    section_name     text not null default 'full_module',
    version          integer not null
                     constraint mm_media_versions_version_check check (version >= 1),
    session_id       uuid not null,
    content_version  integer not null
                     constraint mm_media_versions_content_version_check
                     check (content_version >= 1),
    is_current       boolean not null default false,
    current_since    timestamptz,
    requested_by     uuid,  -- the API user (JWT sub) who asked; NULL for the pipeline
    requested_via    text not null
                     constraint mm_media_versions_requested_via_check
                     check (requested_via in ('pipeline', 'api', 'operator')),
    reason           text not null
                     constraint mm_media_versions_reason_check check (length(reason) <= 500),
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    constraint mm_media_versions_session_key unique (session_id),
    constraint mm_media_versions_content_section_version_key
        unique (content_id, section_name, version),
    constraint mm_media_versions_session_fkey foreign key (session_id, company_id)
        references public.mm_multimedia_sessions (session_id, company_id) on delete cascade,
    constraint mm_media_versions_content_fkey foreign key (content_id, company_id)
        references public.cm_module_content (content_id, company_id) on delete cascade
);
create unique index mm_media_versions_one_current_idx
    on public.mm_media_versions (content_id, section_name) where is_current;
create index mm_media_versions_company_idx on public.mm_media_versions (company_id);
create index mm_media_versions_session_company_idx
    on public.mm_media_versions (session_id, company_id);
create trigger mm_media_versions_touch_updated_at
    before update on public.mm_media_versions
    for each row execute function pipeline.touch_updated_at();
alter table public.mm_media_versions enable row level security;

grant select on public.mm_media_versions to anon, authenticated;
grant all on public.mm_media_versions to service_role;
create policy mm_media_versions_company_members_read
    on public.mm_media_versions for select to authenticated
    using ((select coalesce(auth.jwt() -> 'app_metadata' ->> 'role', auth.jwt() ->> 'role'))
               = 'super_admin'
           or ((select coalesce(auth.jwt() -> 'app_metadata' ->> 'role', auth.jwt() ->> 'role'))
                   in ('company_admin', 'learner')
               and company_id = (select nullif(coalesce(
                       auth.jwt() -> 'app_metadata' ->> 'company_id',
                       auth.jwt() ->> 'company_id'), '')::uuid)));

-- The section a session's media is for: its one section for a section_video session, else the
-- whole module.
create function pipeline.session_section(p_session_type text, p_sections text[]) returns text
language sql immutable set search_path = pg_catalog as $$
    select case when p_session_type = 'section_video' and cardinality(p_sections) = 1
                then p_sections[1] else 'full_module' end
$$;

-- A new session is the next version of its content's (section's) media.
create function pipeline.open_media_version() returns trigger
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
declare
    v_api constant boolean := pipeline.api_role_writes();
    v_section constant text := pipeline.session_section(new.session_type, new.content_sections);
    v_content_version integer;
    v_version integer;
begin
    -- the content row's lock serialises version numbers of one module
    select c.version into v_content_version
      from public.cm_module_content c where c.content_id = new.content_id for update;
    select coalesce(max(v.version), 0) + 1 into v_version
      from public.mm_media_versions v
     where v.content_id = new.content_id and v.section_name = v_section;
    insert into public.mm_media_versions
        (content_id, company_id, section_name, version, session_id, content_version,
         requested_by, requested_via, reason)
    values
        (new.content_id, new.company_id, v_section, v_version, new.session_id,
         v_content_version, case when v_api then auth.uid() end,
         case when v_api then 'api' else 'pipeline' end,
         coalesce(new.version_reason,
                  case when v_version = 1 then 'first generation'
                       else format('content version %s', v_content_version) end));
    return null;
end
$$;

create trigger mm_multimedia_sessions_media_version
    after insert on public.mm_multimedia_sessions
    for each row execute function pipeline.open_media_version();

-- Make version p_version of a content's (section's) media the current one: only a version whose
-- session completed; its assets become active, the other versions' inactive.
create function pipeline.make_media_version_current(
    p_content uuid, p_section text, p_version integer
) returns public.mm_media_versions
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
declare
    v_target public.mm_media_versions;
    v_status text;
begin
    select v.* into v_target
      from public.mm_media_versions v
     where v.content_id = p_content and v.section_name = p_section and v.version = p_version
       for update;
    if not found then
        raise exception 'no media version % of content % (section %)',
            p_version, p_content, p_section
            using errcode = 'no_data_found';
    end if;
    select s.status into v_status
      from public.mm_multimedia_sessions s where s.session_id = v_target.session_id;
    if v_status is distinct from 'completed' then
        raise exception 'media version % of content % is not complete (its session is %)',
            p_version, p_content, v_status
            using errcode = 'object_not_in_prerequisite_state';
    end if;
    update public.mm_media_versions v
       set is_current = false, current_since = null
     where v.content_id = p_content and v.section_name = p_section and v.is_current
       and v.version <> p_version;
    update public.mm_media_versions v
       set is_current = true, current_since = now()
     where v.version_id = v_target.version_id and not v.is_current;
    update public.mm_multimedia_assets a
       set is_active = (a.session_id = v_target.session_id)
      from public.mm_media_versions v
     where v.content_id = p_content and v.section_name = p_section
       and a.session_id = v.session_id
       and a.is_active is distinct from (a.session_id = v_target.session_id);
    select v.* into v_target from public.mm_media_versions v
     where v.version_id = v_target.version_id;
    return v_target;
end
$$;

-- A completed session's version becomes current.
create function pipeline.complete_media_version() returns trigger
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
declare
    v_version public.mm_media_versions;
begin
    if new.status = 'completed' and old.status is distinct from 'completed' then
        select v.* into v_version from public.mm_media_versions v
         where v.session_id = new.session_id;
        if found then
            perform pipeline.make_media_version_current(
                v_version.content_id, v_version.section_name, v_version.version);
        end if;
    end if;
    return null;
end
$$;

create trigger mm_multimedia_sessions_complete_media_version
    after update of status on public.mm_multimedia_sessions
    for each row execute function pipeline.complete_media_version();

-- Every asset row carries its session's version number.
create function pipeline.stamp_asset_version() returns trigger
language plpgsql security definer set search_path = pg_catalog, pipeline as $$
begin
    select v.version into new.version_number
      from public.mm_media_versions v where v.session_id = new.session_id;
    new.version_number := coalesce(new.version_number, 1);
    return new;
end
$$;

create trigger mm_multimedia_assets_version
    before insert on public.mm_multimedia_assets
    for each row execute function pipeline.stamp_asset_version();
