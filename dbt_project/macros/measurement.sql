{#
    Whether an outbox message belongs to a campaign whose results are measured: every campaign
    but the pseudo-campaigns of var unmeasured_campaigns (messages that answer a customer, such
    as the tracking service's replies to STOP/START/HELP, rather than address them).
#}
{% macro is_measured_campaign(column) -%}
    {%- set excluded = var('unmeasured_campaigns', []) -%}
    {%- if excluded | length == 0 -%}
        true
    {%- else -%}
        {{ column }} not in (
            {%- for campaign in excluded -%}
                '{{ campaign | replace("'", "''") }}'{{ ", " if not loop.last }}
            {%- endfor -%}
        )
    {%- endif -%}
{%- endmacro %}
