-- The workflow's tables in `public`: the supporting companies/users/employees and every cm_ and mm_
-- table of the seed document, with the columns the real system has (see the README, "Schema").
--
-- Conventions:
-- * uuid keys default to gen_random_uuid(); created_at defaults to now(); updated_at is kept by
--   pipeline.touch_updated_at() on every table (the original lacked it on two tables).
-- * every cm_/mm_ table and employees carry a NOT NULL company_id. A child's company must be its
--   parent's: the links are composite foreign keys (parent_id, company_id), so a row can never be
--   attached to another company's plan, content or session.
-- * constraints are named <table>_<column>_check / _fkey so errors say what was wrong. Status
--   value sets mirror lxera_pipeline/events/statuses.py exactly (a test compares them).
-- * row-level security is enabled as each table is created (no policy yet = nobody but the owner
--   and BYPASSRLS roles sees a row); policies and API grants follow in a later migration.

-- ---------------------------------------------------------------------------------------------
-- Supporting tables
-- ---------------------------------------------------------------------------------------------

create table public.companies (
    id             uuid primary key default gen_random_uuid(),
    name           text not null,
    domain         text not null constraint companies_domain_key unique,
    logo_url       text,
    settings       jsonb not null default '{}'::jsonb,
    plan_type      text not null default 'trial'
                   constraint companies_plan_type_check
                   check (plan_type in ('trial', 'basic', 'premium', 'enterprise')),
    max_employees  integer not null default 10
                   constraint companies_max_employees_check check (max_employees >= 0),
    max_courses    integer not null default 5
                   constraint companies_max_courses_check check (max_courses >= 0),
    is_active      boolean not null default true,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now()
);
create index companies_active_idx on public.companies (is_active);

-- One row per person. On Supabase `id` is the auth.users id (a plain PostgreSQL has no auth.users,
-- so there is no foreign key to it). Employees take their display name from full_name.
create table public.users (
    id                    uuid primary key default gen_random_uuid(),
    email                 text not null constraint users_email_key unique,
    full_name             text not null,
    role                  text not null default 'learner'
                          constraint users_role_check
                          check (role in ('super_admin', 'company_admin', 'learner')),
    company_id            uuid constraint users_company_fkey
                          references public.companies (id) on delete cascade,
    position              text,
    department            text,
    phone                 text,
    avatar_url            text,
    learning_preferences  jsonb not null default '{}'::jsonb,
    metadata              jsonb not null default '{}'::jsonb,
    is_active             boolean not null default true,
    email_verified        boolean not null default false,
    last_login            timestamptz,
    created_at            timestamptz not null default now(),
    updated_at            timestamptz not null default now(),
    -- a super admin belongs to no company; a company admin always to one; a learner may be either
    constraint users_role_company_check check (
        (role <> 'super_admin' or company_id is null)
        and (role <> 'company_admin' or company_id is not null))
);
create index users_company_idx on public.users (company_id);

create table public.employees (
    id                    uuid primary key default gen_random_uuid(),
    user_id               uuid not null constraint employees_user_fkey
                          references public.users (id) on delete cascade,
    company_id            uuid not null constraint employees_company_fkey
                          references public.companies (id) on delete cascade,
    employee_id           text,
    department            text,
    position              text,
    employee_role         text,
    career_goal           text,
    manager_id            uuid,
    skill_level           text not null default 'beginner'
                          constraint employees_skill_level_check
                          check (skill_level in ('beginner', 'intermediate', 'advanced')),
    learning_style        jsonb,
    key_tools             text[] not null default '{}',
    courses_completed     integer not null default 0
                          constraint employees_courses_completed_check
                          check (courses_completed >= 0),
    total_learning_hours  numeric(8, 2) not null default 0
                          constraint employees_total_learning_hours_check
                          check (total_learning_hours >= 0),
    last_activity         timestamptz,
    is_active             boolean not null default true,
    hired_date            date,
    created_at            timestamptz not null default now(),
    updated_at            timestamptz not null default now(),
    constraint employees_user_key unique (user_id),
    constraint employees_id_company_key unique (id, company_id),
    constraint employees_manager_fkey foreign key (manager_id)
        references public.employees (id) on delete set null
);
create index employees_company_idx on public.employees (company_id);
create index employees_manager_idx on public.employees (manager_id);

-- ---------------------------------------------------------------------------------------------
-- Content management (cm_)
-- ---------------------------------------------------------------------------------------------

create table public.cm_course_plans (
    plan_id                 uuid primary key default gen_random_uuid(),
    company_id              uuid not null constraint cm_course_plans_company_fkey
                            references public.companies (id) on delete cascade,
    employee_id             uuid not null,
    employee_name           text not null,
    session_id              text not null,
    course_title            text,
    course_structure        jsonb not null default '{}'::jsonb,
    prioritized_gaps        jsonb not null default '{}'::jsonb,
    research_strategy       jsonb not null default '{}'::jsonb,
    learning_path           jsonb not null default '{}'::jsonb,
    employee_profile        jsonb not null default '{}'::jsonb,
    total_modules           integer
                            constraint cm_course_plans_total_modules_check
                            check (total_modules >= 0),
    course_duration_weeks   integer
                            constraint cm_course_plans_course_duration_weeks_check
                            check (course_duration_weeks >= 0),
    planning_agent_version  text not null default 'v1',
    tool_calls              jsonb not null default '[]'::jsonb,
    execution_time_seconds  numeric(10, 2)
                            constraint cm_course_plans_execution_time_seconds_check
                            check (execution_time_seconds >= 0),
    agent_turns             integer
                            constraint cm_course_plans_agent_turns_check check (agent_turns >= 0),
    status                  text not null default 'planning'
                            constraint cm_course_plans_status_check
                            check (status in ('planning', 'completed', 'researching', 'producing',
                                              'delivered', 'failed')),
    error_message           text,
    is_preview_mode         boolean not null default false,
    approval_status         text
                            constraint cm_course_plans_approval_status_check
                            check (approval_status in ('pending_review', 'approved', 'rejected')),
    approved_by             uuid constraint cm_course_plans_approved_by_fkey
                            references public.users (id) on delete set null,
    approved_at             timestamptz,
    approval_feedback       text,
    rejection_reason        text,
    revision_count          integer not null default 0
                            constraint cm_course_plans_revision_count_check
                            check (revision_count >= 0),
    metadata                jsonb not null default '{}'::jsonb,
    created_at              timestamptz not null default now(),
    updated_at              timestamptz not null default now(),
    constraint cm_course_plans_plan_company_key unique (plan_id, company_id),
    constraint cm_course_plans_employee_fkey foreign key (employee_id, company_id)
        references public.employees (id, company_id) on delete cascade
);
create index cm_course_plans_company_idx on public.cm_course_plans (company_id);
create index cm_course_plans_employee_idx on public.cm_course_plans (employee_id);
create index cm_course_plans_session_idx on public.cm_course_plans (session_id);
create index cm_course_plans_status_idx on public.cm_course_plans (status);
create index cm_course_plans_created_at_idx on public.cm_course_plans (created_at);

-- The list-valued columns are jsonb arrays (the original used jsonb[]; a JSON array is what every
-- client sends, and a CHECK keeps them arrays).
create table public.cm_research_results (
    research_id             uuid primary key default gen_random_uuid(),
    company_id              uuid not null constraint cm_research_results_company_fkey
                            references public.companies (id) on delete cascade,
    plan_id                 uuid not null,
    session_id              text not null,
    research_findings       jsonb not null default '{}'::jsonb,
    content_library         jsonb not null default '{}'::jsonb,
    module_mappings         jsonb not null default '{}'::jsonb,
    total_topics            integer not null default 0
                            constraint cm_research_results_total_topics_check
                            check (total_topics >= 0),
    total_sources           integer not null default 0
                            constraint cm_research_results_total_sources_check
                            check (total_sources >= 0),
    research_agent_version  text not null default 'v2',
    search_queries          jsonb not null default '[]'::jsonb
                            constraint cm_research_results_search_queries_check
                            check (jsonb_typeof(search_queries) = 'array'),
    sources_analyzed        jsonb not null default '[]'::jsonb
                            constraint cm_research_results_sources_analyzed_check
                            check (jsonb_typeof(sources_analyzed) = 'array'),
    synthesis_sessions      jsonb not null default '[]'::jsonb
                            constraint cm_research_results_synthesis_sessions_check
                            check (jsonb_typeof(synthesis_sessions) = 'array'),
    tool_calls              jsonb not null default '[]'::jsonb
                            constraint cm_research_results_tool_calls_check
                            check (jsonb_typeof(tool_calls) = 'array'),
    execution_metrics       jsonb not null default '{}'::jsonb,
    source_types            jsonb,
    credibility_analysis    jsonb,
    research_methodology    text,
    enhanced_features_used  jsonb,
    status                  text not null default 'started'
                            constraint cm_research_results_status_check
                            check (status in ('started', 'completed', 'failed')),
    error_message           text,
    created_at              timestamptz not null default now(),
    updated_at              timestamptz not null default now(),
    constraint cm_research_results_plan_fkey foreign key (plan_id, company_id)
        references public.cm_course_plans (plan_id, company_id) on delete cascade
);
create index cm_research_results_company_idx on public.cm_research_results (company_id);
create index cm_research_results_plan_idx on public.cm_research_results (plan_id);
create index cm_research_results_session_idx on public.cm_research_results (session_id);
create index cm_research_results_status_idx on public.cm_research_results (status);
create index cm_research_results_created_at_idx on public.cm_research_results (created_at);

-- One module's text, section by section. total_word_count and section_word_counts are computed by
-- the database (pipeline.count_module_words) and cannot be overwritten by clients.
create table public.cm_module_content (
    content_id                 uuid primary key default gen_random_uuid(),
    company_id                 uuid not null constraint cm_module_content_company_fkey
                               references public.companies (id) on delete cascade,
    plan_id                    uuid,
    module_id                  text,
    module_name                text not null,
    employee_name              text not null,
    session_id                 text not null,
    introduction               text,
    core_content               text,
    practical_applications     text,
    case_studies               text,
    assessments                text,
    module_spec                jsonb not null default '{}'::jsonb,
    research_context           jsonb not null default '{}'::jsonb,
    total_word_count           integer not null default 0
                               constraint cm_module_content_total_word_count_check
                               check (total_word_count >= 0),
    section_word_counts        jsonb not null default '{}'::jsonb,
    status                     text not null default 'draft'
                               constraint cm_module_content_status_check
                               check (status in ('draft', 'quality_check', 'revision', 'approved',
                                                 'published', 'failed')),
    failure_reason             text,
    priority_level             text not null default 'medium'
                               constraint cm_module_content_priority_level_check
                               check (priority_level in ('critical', 'high', 'medium', 'low')),
    revision_count             integer not null default 0
                               constraint cm_module_content_revision_count_check
                               check (revision_count >= 0),
    assigned_to                uuid,
    created_by                 uuid constraint cm_module_content_created_by_fkey
                               references public.users (id) on delete set null,
    last_quality_check         timestamptz,
    version_number             integer not null default 1
                               constraint cm_module_content_version_number_check
                               check (version_number >= 1),
    parent_content_id          uuid constraint cm_module_content_parent_content_fkey
                               references public.cm_module_content (content_id)
                               on delete set null,
    is_current_version         boolean not null default true,
    version_notes              text,
    section_quality_scores     jsonb not null default '{}'::jsonb,
    section_quality_issues     jsonb not null default '{}'::jsonb,
    section_last_assessed      jsonb not null default '{}'::jsonb,
    section_updated_at         jsonb not null default '{}'::jsonb,
    section_enhancement_count  jsonb not null default
        '{"introduction": 0, "core_content": 0, "practical_applications": 0,
          "case_studies": 0, "assessments": 0}'::jsonb,
    section_status             jsonb not null default
        '{"introduction": "current", "core_content": "current",
          "practical_applications": "current", "case_studies": "current",
          "assessments": "current"}'::jsonb,
    last_enhancement_id        uuid,
    enhancement_history        jsonb not null default '[]'::jsonb,
    draft_content              jsonb,
    is_draft                   boolean not null default false,
    last_edited_at             timestamptz,
    last_edited_by             uuid constraint cm_module_content_last_edited_by_fkey
                               references public.users (id) on delete set null,
    created_at                 timestamptz not null default now(),
    updated_at                 timestamptz not null default now(),
    constraint cm_module_content_content_company_key unique (content_id, company_id),
    constraint cm_module_content_plan_fkey foreign key (plan_id, company_id)
        references public.cm_course_plans (plan_id, company_id) on delete set null (plan_id),
    constraint cm_module_content_assigned_to_fkey foreign key (assigned_to, company_id)
        references public.employees (id, company_id) on delete set null (assigned_to)
);
create index cm_module_content_company_idx on public.cm_module_content (company_id);
create index cm_module_content_plan_idx on public.cm_module_content (plan_id);
create index cm_module_content_session_idx on public.cm_module_content (session_id);
create index cm_module_content_employee_name_idx on public.cm_module_content (employee_name);
create index cm_module_content_status_idx on public.cm_module_content (status);
create index cm_module_content_created_at_idx on public.cm_module_content (created_at);
create index cm_module_content_assigned_to_idx on public.cm_module_content (assigned_to);
create index cm_module_content_version_number_idx on public.cm_module_content (version_number);
create index cm_module_content_parent_content_idx on public.cm_module_content (parent_content_id);
create index cm_module_content_current_version_idx on public.cm_module_content (content_id)
    where is_current_version;
create index cm_module_content_section_status_idx on public.cm_module_content
    using gin (section_status);

create table public.cm_quality_assessments (
    assessment_id                uuid primary key default gen_random_uuid(),
    content_id                   uuid not null,
    company_id                   uuid not null constraint cm_quality_assessments_company_fkey
                                 references public.companies (id) on delete cascade,
    overall_score                numeric(3, 1) not null
                                 constraint cm_quality_assessments_overall_score_check
                                 check (overall_score between 0 and 10),
    section_scores               jsonb not null default '{}'::jsonb,
    accuracy_score               numeric(3, 1)
                                 constraint cm_quality_assessments_accuracy_score_check
                                 check (accuracy_score between 0 and 10),
    clarity_score                numeric(3, 1)
                                 constraint cm_quality_assessments_clarity_score_check
                                 check (clarity_score between 0 and 10),
    completeness_score           numeric(3, 1)
                                 constraint cm_quality_assessments_completeness_score_check
                                 check (completeness_score between 0 and 10),
    engagement_score             numeric(3, 1)
                                 constraint cm_quality_assessments_engagement_score_check
                                 check (engagement_score between 0 and 10),
    personalization_score        numeric(3, 1)
                                 constraint cm_quality_assessments_personalization_score_check
                                 check (personalization_score between 0 and 10),
    source_credibility_score     numeric(3, 1)
                                 constraint cm_quality_assessments_source_credibility_score_check
                                 check (source_credibility_score between 0 and 10),
    currency_timeliness_score    numeric(3, 1)
                                 constraint cm_quality_assessments_currency_timeliness_score_check
                                 check (currency_timeliness_score between 0 and 10),
    source_diversity_score       numeric(3, 1)
                                 constraint cm_quality_assessments_source_diversity_score_check
                                 check (source_diversity_score between 0 and 10),
    evidence_quality_score       numeric(3, 1)
                                 constraint cm_quality_assessments_evidence_quality_score_check
                                 check (evidence_quality_score between 0 and 10),
    quality_feedback             text,
    word_count_assessment        jsonb not null default '{}'::jsonb,
    critical_issues              text[] not null default '{}',
    improvement_suggestions      text[] not null default '{}',
    assessment_criteria          text not null
                                 default 'accuracy,clarity,completeness,engagement,personalization',
    module_context               jsonb,
    passed                       boolean not null default false,
    requires_revision            boolean not null default false,
    sections_needing_work        text[] not null default '{}',
    assessed_by                  uuid constraint cm_quality_assessments_assessed_by_fkey
                                 references public.users (id) on delete set null,
    assessed_at                  timestamptz not null default now(),
    assessment_duration_seconds  integer
                                 constraint cm_quality_assessments_duration_check
                                 check (assessment_duration_seconds >= 0),
    enhanced_assessment          boolean not null default false,
    assessment_methodology       text not null default 'standard_5_dimensional'
                                 constraint cm_quality_assessments_assessment_methodology_check
                                 check (assessment_methodology in
                                        ('standard_5_dimensional', 'enhanced_9_dimensional')),
    created_at                   timestamptz not null default now(),
    updated_at                   timestamptz not null default now(),
    constraint cm_quality_assessments_content_fkey foreign key (content_id, company_id)
        references public.cm_module_content (content_id, company_id) on delete cascade
);
create index cm_quality_assessments_company_idx on public.cm_quality_assessments (company_id);
create index cm_quality_assessments_content_idx on public.cm_quality_assessments
    (content_id, assessed_at);
create index cm_quality_assessments_overall_score_idx on public.cm_quality_assessments
    (overall_score);
create index cm_quality_assessments_passed_idx on public.cm_quality_assessments (passed);
create index cm_quality_assessments_assessed_at_idx on public.cm_quality_assessments (assessed_at);
create index cm_quality_assessments_enhanced_idx on public.cm_quality_assessments
    (assessment_id) where enhanced_assessment;

create table public.cm_enhancement_sessions (
    session_id               uuid primary key default gen_random_uuid(),
    content_id               uuid not null,
    company_id               uuid not null constraint cm_enhancement_sessions_company_fkey
                             references public.companies (id) on delete cascade,
    quality_assessment_id    uuid constraint cm_enhancement_sessions_quality_assessment_fkey
                             references public.cm_quality_assessments (assessment_id)
                             on delete set null,
    enhancement_type         text not null default 'targeted'
                             constraint cm_enhancement_sessions_enhancement_type_check
                             check (enhancement_type in
                                    ('targeted', 'comprehensive', 'research_driven')),
    sections_to_enhance      text[] not null default '{}',
    sections_preserved       text[] not null default '{}',
    research_conducted       boolean not null default false,
    content_regenerated      boolean not null default false,
    integration_completed    boolean not null default false,
    word_count_before        integer
                             constraint cm_enhancement_sessions_word_count_before_check
                             check (word_count_before >= 0),
    word_count_after         integer
                             constraint cm_enhancement_sessions_word_count_after_check
                             check (word_count_after >= 0),
    quality_score_before     numeric(3, 1)
                             constraint cm_enhancement_sessions_quality_score_before_check
                             check (quality_score_before between 0 and 10),
    quality_score_after      numeric(3, 1)
                             constraint cm_enhancement_sessions_quality_score_after_check
                             check (quality_score_after between 0 and 10),
    enhancement_tokens_used  integer
                             constraint cm_enhancement_sessions_enhancement_tokens_used_check
                             check (enhancement_tokens_used >= 0),
    content_tokens_used      integer
                             constraint cm_enhancement_sessions_content_tokens_used_check
                             check (content_tokens_used >= 0),
    total_tokens_saved       integer,  -- a difference: negative when enhancing cost more
    status                   text not null default 'started'
                             constraint cm_enhancement_sessions_status_check
                             check (status in ('started', 'research_complete', 'content_enhanced',
                                               'completed', 'failed')),
    success                  boolean,
    error_details            text,
    initiated_by             uuid constraint cm_enhancement_sessions_initiated_by_fkey
                             references public.users (id) on delete set null,
    started_at               timestamptz not null default now(),
    completed_at             timestamptz,
    duration_seconds         integer
                             constraint cm_enhancement_sessions_duration_seconds_check
                             check (duration_seconds >= 0),
    created_at               timestamptz not null default now(),
    updated_at               timestamptz not null default now(),
    constraint cm_enhancement_sessions_content_fkey foreign key (content_id, company_id)
        references public.cm_module_content (content_id, company_id) on delete cascade
);
create index cm_enhancement_sessions_company_idx on public.cm_enhancement_sessions (company_id);
create index cm_enhancement_sessions_content_idx on public.cm_enhancement_sessions (content_id);
create index cm_enhancement_sessions_status_idx on public.cm_enhancement_sessions (status);
create index cm_enhancement_sessions_created_at_idx on public.cm_enhancement_sessions (created_at);
create index cm_enhancement_sessions_quality_assessment_idx on public.cm_enhancement_sessions
    (quality_assessment_id);

alter table public.cm_module_content
    add constraint cm_module_content_last_enhancement_fkey foreign key (last_enhancement_id)
    references public.cm_enhancement_sessions (session_id) on delete set null;
create index cm_module_content_last_enhancement_idx on public.cm_module_content
    (last_enhancement_id);

-- ---------------------------------------------------------------------------------------------
-- Multimedia (mm_)
-- ---------------------------------------------------------------------------------------------

create table public.mm_multimedia_sessions (
    session_id                   uuid primary key default gen_random_uuid(),
    content_id                   uuid not null,
    company_id                   uuid not null constraint mm_multimedia_sessions_company_fkey
                                 references public.companies (id) on delete cascade,
    session_type                 text not null default 'full_generation'
                                 constraint mm_multimedia_sessions_session_type_check
                                 check (session_type in ('full_generation', 'slide_only',
                                                         'audio_only', 'video_only',
                                                         'section_video')),
    module_name                  text not null,
    employee_name                text not null,
    generation_config            jsonb not null default '{}'::jsonb,
    content_sections             text[] not null default '{}',
    status                       text not null default 'started'
                                 constraint mm_multimedia_sessions_status_check
                                 check (status in ('started', 'processing', 'completed',
                                                   'failed')),
    current_stage                text not null default 'initialization'
                                 constraint mm_multimedia_sessions_current_stage_check
                                 check (current_stage in ('initialization', 'script_generation',
                                                          'slide_generation', 'audio_generation',
                                                          'video_assembly', 'uploading',
                                                          'completed')),
    progress_percentage          numeric(5, 2) not null default 0
                                 constraint mm_multimedia_sessions_progress_percentage_check
                                 check (progress_percentage between 0 and 100),
    total_assets_generated       integer not null default 0
                                 constraint mm_multimedia_sessions_total_assets_generated_check
                                 check (total_assets_generated >= 0),
    slides_generated             integer not null default 0
                                 constraint mm_multimedia_sessions_slides_generated_check
                                 check (slides_generated >= 0),
    audio_files_generated        integer not null default 0
                                 constraint mm_multimedia_sessions_audio_files_generated_check
                                 check (audio_files_generated >= 0),
    video_files_generated        integer not null default 0
                                 constraint mm_multimedia_sessions_video_files_generated_check
                                 check (video_files_generated >= 0),
    processing_duration_seconds  integer
                                 constraint mm_multimedia_sessions_processing_duration_check
                                 check (processing_duration_seconds >= 0),
    tokens_used                  integer not null default 0
                                 constraint mm_multimedia_sessions_tokens_used_check
                                 check (tokens_used >= 0),
    error_details                text,
    retry_count                  integer not null default 0
                                 constraint mm_multimedia_sessions_retry_count_check
                                 check (retry_count >= 0),
    initiated_by                 uuid constraint mm_multimedia_sessions_initiated_by_fkey
                                 references public.users (id) on delete set null,
    started_at                   timestamptz not null default now(),
    completed_at                 timestamptz,
    created_at                   timestamptz not null default now(),
    updated_at                   timestamptz not null default now(),
    constraint mm_multimedia_sessions_session_company_key unique (session_id, company_id),
    constraint mm_multimedia_sessions_content_fkey foreign key (content_id, company_id)
        references public.cm_module_content (content_id, company_id) on delete cascade
);
create index mm_multimedia_sessions_company_idx on public.mm_multimedia_sessions (company_id);
create index mm_multimedia_sessions_content_idx on public.mm_multimedia_sessions (content_id);
create index mm_multimedia_sessions_status_idx on public.mm_multimedia_sessions (status);
create index mm_multimedia_sessions_started_at_idx on public.mm_multimedia_sessions (started_at);
create index mm_multimedia_sessions_created_at_idx on public.mm_multimedia_sessions (created_at);

-- One file produced by a session. file_path is unique per session so handlers can upsert on
-- (session_id, file_path) with their deterministic file names.
create table public.mm_multimedia_assets (
    asset_id                 uuid primary key default gen_random_uuid(),
    session_id               uuid not null,
    content_id               uuid not null,
    company_id               uuid not null constraint mm_multimedia_assets_company_fkey
                             references public.companies (id) on delete cascade,
    asset_type               text not null
                             constraint mm_multimedia_assets_asset_type_check
                             check (asset_type in ('slide', 'audio', 'video', 'image', 'document',
                                                   'script', 'thumbnail')),
    asset_name               text not null,
    file_path                text not null,
    file_size_bytes          bigint
                             constraint mm_multimedia_assets_file_size_bytes_check
                             check (file_size_bytes >= 0),
    mime_type                text,
    section_name             text,
    slide_number             integer
                             constraint mm_multimedia_assets_slide_number_check
                             check (slide_number >= 0),
    duration_seconds         numeric(8, 2)
                             constraint mm_multimedia_assets_duration_seconds_check
                             check (duration_seconds >= 0),
    generation_config        jsonb not null default '{}'::jsonb,
    quality_metrics          jsonb not null default '{}'::jsonb,
    processing_time_seconds  numeric(10, 2)
                             constraint mm_multimedia_assets_processing_time_seconds_check
                             check (processing_time_seconds >= 0),
    tokens_used              integer not null default 0
                             constraint mm_multimedia_assets_tokens_used_check
                             check (tokens_used >= 0),
    generation_prompt        text,
    status                   text not null default 'generated'
                             constraint mm_multimedia_assets_status_check
                             check (status in ('generated', 'processed', 'optimized', 'failed')),
    is_active                boolean not null default true,
    storage_bucket           text not null default 'multimedia-assets',
    storage_path             text,
    public_url               text,
    version_number           integer not null default 1
                             constraint mm_multimedia_assets_version_number_check
                             check (version_number >= 1),
    parent_asset_id          uuid constraint mm_multimedia_assets_parent_asset_fkey
                             references public.mm_multimedia_assets (asset_id) on delete set null,
    created_at               timestamptz not null default now(),
    updated_at               timestamptz not null default now(),
    constraint mm_multimedia_assets_session_file_key unique (session_id, file_path),
    constraint mm_multimedia_assets_session_fkey foreign key (session_id, company_id)
        references public.mm_multimedia_sessions (session_id, company_id) on delete cascade,
    constraint mm_multimedia_assets_content_fkey foreign key (content_id, company_id)
        references public.cm_module_content (content_id, company_id) on delete cascade
);
create index mm_multimedia_assets_company_idx on public.mm_multimedia_assets (company_id);
create index mm_multimedia_assets_content_idx on public.mm_multimedia_assets (content_id);
create index mm_multimedia_assets_asset_type_idx on public.mm_multimedia_assets (asset_type);
create index mm_multimedia_assets_section_name_idx on public.mm_multimedia_assets (section_name);
create index mm_multimedia_assets_status_idx on public.mm_multimedia_assets (status);
create index mm_multimedia_assets_active_idx on public.mm_multimedia_assets (session_id)
    where is_active;
create index mm_multimedia_assets_created_at_idx on public.mm_multimedia_assets (created_at);
create index mm_multimedia_assets_parent_asset_idx on public.mm_multimedia_assets
    (parent_asset_id);

create table public.mm_slide_presentations (
    presentation_id    uuid primary key default gen_random_uuid(),
    session_id         uuid not null,
    content_id         uuid not null,
    company_id         uuid not null constraint mm_slide_presentations_company_fkey
                       references public.companies (id) on delete cascade,
    presentation_name  text not null,
    presentation_type  text not null default 'module_slides'
                       constraint mm_slide_presentations_presentation_type_check
                       check (presentation_type in
                              ('module_slides', 'section_slides', 'summary_slides')),
    total_slides       integer not null default 0
                       constraint mm_slide_presentations_total_slides_check
                       check (total_slides >= 0),
    slide_order        jsonb not null default '[]'::jsonb,
    template_used      text,
    theme_config       jsonb not null default '{}'::jsonb,
    pdf_generated      boolean not null default false,
    pptx_generated     boolean not null default false,
    html_generated     boolean not null default false,
    pdf_asset_id       uuid constraint mm_slide_presentations_pdf_asset_fkey
                       references public.mm_multimedia_assets (asset_id) on delete set null,
    pptx_asset_id      uuid constraint mm_slide_presentations_pptx_asset_fkey
                       references public.mm_multimedia_assets (asset_id) on delete set null,
    html_asset_id      uuid constraint mm_slide_presentations_html_asset_fkey
                       references public.mm_multimedia_assets (asset_id) on delete set null,
    status             text not null default 'draft'
                       constraint mm_slide_presentations_status_check
                       check (status in ('draft', 'generated', 'exported', 'published')),
    is_active          boolean not null default true,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    constraint mm_slide_presentations_session_fkey foreign key (session_id, company_id)
        references public.mm_multimedia_sessions (session_id, company_id) on delete cascade,
    constraint mm_slide_presentations_content_fkey foreign key (content_id, company_id)
        references public.cm_module_content (content_id, company_id) on delete cascade
);
create index mm_slide_presentations_company_idx on public.mm_slide_presentations (company_id);
create index mm_slide_presentations_session_idx on public.mm_slide_presentations (session_id);
create index mm_slide_presentations_content_idx on public.mm_slide_presentations (content_id);
create index mm_slide_presentations_status_idx on public.mm_slide_presentations (status);
create index mm_slide_presentations_created_at_idx on public.mm_slide_presentations (created_at);

create table public.mm_audio_narrations (
    narration_id            uuid primary key default gen_random_uuid(),
    session_id              uuid not null,
    content_id              uuid not null,
    company_id              uuid not null constraint mm_audio_narrations_company_fkey
                            references public.companies (id) on delete cascade,
    narration_name          text not null,
    narration_type          text not null default 'full_module'
                            constraint mm_audio_narrations_narration_type_check
                            check (narration_type in ('full_module', 'section',
                                                      'section_narration', 'slide_narration')),
    section_name            text,
    total_duration_seconds  numeric(8, 2) not null default 0
                            constraint mm_audio_narrations_total_duration_seconds_check
                            check (total_duration_seconds >= 0),
    audio_segments          jsonb not null default '[]'::jsonb,
    voice_config            jsonb not null default '{}'::jsonb,
    script_content          text,
    master_audio_id         uuid constraint mm_audio_narrations_master_audio_fkey
                            references public.mm_multimedia_assets (asset_id) on delete set null,
    segments_audio_ids      uuid[] not null default '{}',
    synthesis_completed     boolean not null default false,
    segments_merged         boolean not null default false,
    status                  text not null default 'draft'
                            constraint mm_audio_narrations_status_check
                            check (status in ('draft', 'generated', 'processed', 'published')),
    is_active               boolean not null default true,
    created_at              timestamptz not null default now(),
    updated_at              timestamptz not null default now(),
    constraint mm_audio_narrations_session_fkey foreign key (session_id, company_id)
        references public.mm_multimedia_sessions (session_id, company_id) on delete cascade,
    constraint mm_audio_narrations_content_fkey foreign key (content_id, company_id)
        references public.cm_module_content (content_id, company_id) on delete cascade
);
create index mm_audio_narrations_company_idx on public.mm_audio_narrations (company_id);
create index mm_audio_narrations_session_idx on public.mm_audio_narrations (session_id);
create index mm_audio_narrations_content_idx on public.mm_audio_narrations (content_id);
create index mm_audio_narrations_section_name_idx on public.mm_audio_narrations (section_name);
create index mm_audio_narrations_status_idx on public.mm_audio_narrations (status);
create index mm_audio_narrations_created_at_idx on public.mm_audio_narrations (created_at);
create index mm_audio_narrations_master_audio_idx on public.mm_audio_narrations (master_audio_id);

-- ---------------------------------------------------------------------------------------------
-- Word counts: recomputed on every insert and on every update that touches a section (or tries
-- to set the counts), splitting on any run of whitespace (spaces, tabs, newlines).
-- ---------------------------------------------------------------------------------------------

create function pipeline.count_module_words() returns trigger
language plpgsql as $$
declare
    v_counts jsonb := jsonb_build_object(
        'introduction', coalesce(regexp_count(new.introduction, '\S+'), 0),
        'core_content', coalesce(regexp_count(new.core_content, '\S+'), 0),
        'practical_applications', coalesce(regexp_count(new.practical_applications, '\S+'), 0),
        'case_studies', coalesce(regexp_count(new.case_studies, '\S+'), 0),
        'assessments', coalesce(regexp_count(new.assessments, '\S+'), 0));
begin
    new.section_word_counts := v_counts;
    new.total_word_count := (select sum(value::integer) from jsonb_each_text(v_counts));
    return new;
end
$$;

create trigger cm_module_content_word_counts
    before insert or update of introduction, core_content, practical_applications, case_studies,
                               assessments, total_word_count, section_word_counts
    on public.cm_module_content
    for each row execute function pipeline.count_module_words();

-- ---------------------------------------------------------------------------------------------
-- updated_at on every table, and row-level security switched on from the start.
-- ---------------------------------------------------------------------------------------------

do $tables$
declare
    v_table text;
begin
    foreach v_table in array array[
        'companies', 'users', 'employees', 'cm_course_plans', 'cm_research_results',
        'cm_module_content', 'cm_quality_assessments', 'cm_enhancement_sessions',
        'mm_multimedia_sessions', 'mm_multimedia_assets', 'mm_slide_presentations',
        'mm_audio_narrations'] loop
        execute format('create trigger %I before update on public.%I '
                       'for each row execute function pipeline.touch_updated_at()',
                       v_table || '_touch_updated_at', v_table);
        execute format('alter table public.%I enable row level security', v_table);
    end loop;
end
$tables$;
