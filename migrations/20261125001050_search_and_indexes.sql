-- Full-text search over module content, and an index on every foreign key.
--
-- public.search_module_content(query text, max_results integer default 20) finds modules whose
-- name or sections match a web-search style query (websearch_to_tsquery, 'english': words,
-- "quoted phrases", -excluded, OR), best match first (ts_rank; the name weighs most), with a
-- short highlighted excerpt. It runs with the caller's rights, so row-level security decides
-- which companies' modules it can return. query: 1 to 200 characters; max_results: 1 to 100
-- (SQLSTATE 22023 otherwise). The GIN index below serves it.

create function public.module_content_document(
    p_name text, p_introduction text, p_core text, p_practical text, p_cases text,
    p_assessments text
) returns tsvector
language sql immutable parallel safe as $$
    select setweight(to_tsvector('english'::regconfig, coalesce(p_name, '')), 'A')
        || setweight(to_tsvector('english'::regconfig,
                                 coalesce(p_introduction, '') || ' ' || coalesce(p_core, '')), 'B')
        || setweight(to_tsvector('english'::regconfig,
                                 coalesce(p_practical, '') || ' ' || coalesce(p_cases, '') || ' '
                                 || coalesce(p_assessments, '')), 'C')
$$;

create index cm_module_content_search_idx on public.cm_module_content using gin (
    public.module_content_document(module_name, introduction, core_content,
                                   practical_applications, case_studies, assessments));

create function public.search_module_content(query text, max_results integer default 20)
returns table (content_id uuid, company_id uuid, module_name text, status text, rank real,
               excerpt text)
language plpgsql stable security invoker set search_path = pg_catalog, public as $$
#variable_conflict use_column
declare
    v_query tsquery;
begin
    if search_module_content.query is null
       or length(btrim(search_module_content.query)) = 0
       or length(search_module_content.query) > 200 then
        raise exception 'search_module_content: query must have 1 to 200 characters'
            using errcode = 'invalid_parameter_value';
    end if;
    if max_results is null or max_results < 1 or max_results > 100 then
        raise exception 'search_module_content: max_results must be 1 to 100, got %', max_results
            using errcode = 'invalid_parameter_value';
    end if;
    v_query := websearch_to_tsquery('english'::regconfig, search_module_content.query);
    return query
        select c.content_id, c.company_id, c.module_name, c.status,
               ts_rank(public.module_content_document(c.module_name, c.introduction,
                           c.core_content, c.practical_applications, c.case_studies,
                           c.assessments), v_query) as rank,
               ts_headline('english'::regconfig,
                           left(coalesce(c.introduction, '') || ' ' || coalesce(c.core_content, '')
                                || ' ' || coalesce(c.practical_applications, ''), 20000),
                           v_query, 'MaxWords=30, MinWords=10, MaxFragments=1') as excerpt
          from public.cm_module_content c
         where public.module_content_document(c.module_name, c.introduction, c.core_content,
                                              c.practical_applications, c.case_studies,
                                              c.assessments) @@ v_query
         order by rank desc, c.content_id
         limit max_results;
end
$$;
comment on function public.search_module_content(text, integer) is
    'Modules matching a web-search style query (the caller''s rows only), best first.';
-- (Supabase's default privileges would grant anon EXECUTE: revoked explicitly.)
revoke all on function public.search_module_content(text, integer) from public, anon;
grant execute on function public.search_module_content(text, integer)
    to authenticated, service_role;

-- The foreign keys that had no index (tests/integration/test_foreign_key_indexes.py).
create index cm_course_plans_approved_by_idx on public.cm_course_plans (approved_by);
create index cm_enhancement_sessions_initiated_by_idx
    on public.cm_enhancement_sessions (initiated_by);
create index cm_module_content_created_by_idx on public.cm_module_content (created_by);
create index cm_module_content_last_edited_by_idx on public.cm_module_content (last_edited_by);
create index cm_quality_assessments_assessed_by_idx on public.cm_quality_assessments (assessed_by);
create index mm_multimedia_sessions_initiated_by_idx
    on public.mm_multimedia_sessions (initiated_by);
create index mm_slide_presentations_pdf_asset_idx on public.mm_slide_presentations (pdf_asset_id);
create index mm_slide_presentations_pptx_asset_idx on public.mm_slide_presentations (pptx_asset_id);
create index mm_slide_presentations_html_asset_idx on public.mm_slide_presentations (html_asset_id);
