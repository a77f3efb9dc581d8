{#
    Generic data tests for the trigger models (docs/triggers.md).
#}

{#
    An occurrence that expires when (or before) it occurs can never be sent; it would only ever
    be recorded `expired`. Usually a sign of a time-zone or date-arithmetic slip.
#}
{% test expires_after_occurrence(model) %}
    select *
    from {{ model }}
    where expires_at <= occurred_at
{% endtest %}

{#
    Every context carries the keys the templates are written against; a missing key would only
    surface as a rendering error at send time.
#}
{% test context_has_keys(model, keys) %}
    select *
    from {{ model }}
    where not {{ json_has_keys('context', keys) }}
{% endtest %}
