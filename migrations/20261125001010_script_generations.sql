-- mm_script_generations (the seed's planned table): one row per script the pipeline writes for a
-- media session, written by the script stage in the same transaction as the script asset (or,
-- when writing fails, a 'failed' row with a short error). Token counts are the LLM endpoint's own
-- (token_source 'reported') or counted locally by a documented rule (token_source 'counted',
-- lxera_pipeline.generators.text.metrics.count_tokens). The API roles read their company's rows
-- and never write them (the pipeline records them).

create table public.mm_script_generations (
    generation_id      uuid primary key default gen_random_uuid(),
    session_id         uuid not null,
    content_id         uuid not null,
    company_id         uuid not null constraint mm_script_generations_company_fkey
                       references public.companies (id) on delete cascade,
    section_name       text not null default 'full_module',
    backend            text not null,
    model              text,
    prompt_tokens      integer not null default 0
                       constraint mm_script_generations_prompt_tokens_check
                       check (prompt_tokens >= 0),
    completion_tokens  integer not null default 0
                       constraint mm_script_generations_completion_tokens_check
                       check (completion_tokens >= 0),
    total_tokens       integer not null default 0,  -- prompt + completion (a CHECK keeps it)
    token_source       text not null
                       constraint mm_script_generations_token_source_check
                       check (token_source in ('reported', 'counted')),
    duration_seconds   numeric(10, 3) not null
                       constraint mm_script_generations_duration_seconds_check
                       check (duration_seconds >= 0),
    status             text not null
                       constraint mm_script_generations_status_check
                       check (status in ('completed', 'failed')),
    error_message      text
                       constraint mm_script_generations_error_message_check
                       check (length(error_message) <= 300),
    script_asset_id    uuid,
    slides             integer
                       constraint mm_script_generations_slides_check check (slides >= 0),
    words              integer
                       constraint mm_script_generations_words_check check (words >= 0),
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    constraint mm_script_generations_total_tokens_check
        check (total_tokens = prompt_tokens + completion_tokens),
    constraint mm_script_generations_completed_check
        check ((status = 'completed') = (error_message is null)),
    constraint mm_script_generations_script_asset_fkey foreign key (script_asset_id, company_id)
        references public.mm_multimedia_assets (asset_id, company_id)
        on delete set null (script_asset_id),
    constraint mm_script_generations_session_fkey foreign key (session_id, company_id)
        references public.mm_multimedia_sessions (session_id, company_id) on delete cascade,
    constraint mm_script_generations_content_fkey foreign key (content_id, company_id)
        references public.cm_module_content (content_id, company_id) on delete cascade
);
create index mm_script_generations_company_idx on public.mm_script_generations (company_id);
create index mm_script_generations_session_idx on public.mm_script_generations (session_id);
create index mm_script_generations_content_idx on public.mm_script_generations (content_id);
create index mm_script_generations_script_asset_idx
    on public.mm_script_generations (script_asset_id);
create index mm_script_generations_created_at_idx on public.mm_script_generations (created_at);
create trigger mm_script_generations_touch_updated_at
    before update on public.mm_script_generations
    for each row execute function pipeline.touch_updated_at();
alter table public.mm_script_generations enable row level security;

grant select on public.mm_script_generations to anon, authenticated;
grant all on public.mm_script_generations to service_role;
create policy mm_script_generations_company_members_read
    on public.mm_script_generations for select to authenticated
    using ((select coalesce(auth.jwt() -> 'app_metadata' ->> 'role', auth.jwt() ->> 'role'))
               = 'super_admin'
           or ((select coalesce(auth.jwt() -> 'app_metadata' ->> 'role', auth.jwt() ->> 'role'))
                   in ('company_admin', 'learner')
               and company_id = (select nullif(coalesce(
                       auth.jwt() -> 'app_metadata' ->> 'company_id',
                       auth.jwt() ->> 'company_id'), '')::uuid)));
