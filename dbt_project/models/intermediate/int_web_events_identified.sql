-- Every web event at or before the as-of instant with the customer it belongs to (the landing
-- contract's identity rule, docs/architecture.md; int_web_events_sliced slices each device's
-- history and says from when each attribution holds; macros/web_identity.sql reads it).
--
-- A view, so the as-of instant and the CRM apply as it is read: browsing before a device's
-- first identification belongs to that customer only once the identification has happened by
-- the as-of instant, and a customer_id the CRM does not know (yet) resolves to NULL, as does
-- every event of a device never identified and every event without an anonymous_id or
-- customer_id.
{{ web_events_at_as_of(ref('int_web_events_sliced'), ref('stg_crm__customers')) }}
