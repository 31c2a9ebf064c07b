-- Analytics (lxera_pipeline.operate.analytics): refresh the materialized views, read them.

-- name: analytics_refresh
select pipeline.refresh_analytics() as refreshed;

-- name: analytics_stage_stats
select * from pipeline.analytics_stage_stats order by handler;

-- name: analytics_module_views
select * from pipeline.analytics_module_views
 where views > 0
 order by views desc, content_id
 limit %(limit)s;

-- name: analytics_video_views
select * from pipeline.analytics_video_views
 where views > 0
 order by views desc, asset_id
 limit %(limit)s;

-- name: analytics_enhancement_loops
select enhancement_rounds, count(*) as modules
  from pipeline.analytics_enhancement_loops
 group by enhancement_rounds
 order by enhancement_rounds;
