{#
    Typing of raw text. Ingestion guarantees that required values are present and that dates,
    timestamps, numbers and booleans parse, and staging leaves out any raw row whose casts would
    fail (typable_rows.sql), so plain casts are safe on those columns; `safe_numeric` exists for
    values ingestion does not validate (inside web `properties`).
#}

{# Trimmed text, blank → NULL. #}
{% macro clean_text(column) -%}
    nullif(btrim({{ column }}), '')
{%- endmacro %}

{# true/false/1/0/yes/no in any case (the landing contract); anything else → NULL. #}
{% macro to_boolean(column) -%}
    case lower(btrim({{ column }}))
        when 'true' then true
        when '1' then true
        when 'yes' then true
        when 'false' then false
        when '0' then false
        when 'no' then false
    end
{%- endmacro %}

{#
    ISO 8601 text → timestamptz. A value with an offset (or Z) keeps it; a value without one
    (or a bare date) is read as UTC, never in the session's time zone, so results do not depend
    on the server's settings.
#}
{% macro to_timestamptz(column) -%}
    case
        when {{ has_offset(column) }}
            then {{ parse_instant(column) }}
        else {{ utc_instant(column) }}
    end
{%- endmacro %}

{# Whether ISO 8601 text ends in an offset or Z (after a time of day). #}
{% macro has_offset(column) -%}
    {{ regex_matches(
        column,
        '[0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?\\s*(z|[+-][0-9]{2}(:?[0-9]{2})?)$',
        case_insensitive=true,
    ) }}
{%- endmacro %}

{# Text that should hold a plain decimal but is not validated upstream; anything else → NULL. #}
{% macro safe_numeric(expression) -%}
    case
        when {{ regex_matches(
            'btrim(' ~ expression ~ ')', '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)$'
        ) }}
            then btrim({{ expression }})::numeric
    end
{%- endmacro %}

{#
    BCP 47 case conventions: language lower, script title, region upper (`fr`, `fr-BE`,
    `zh-Hant-TW`); `_` is read as `-`. A tag of another shape is only lowercased.
#}
{% macro to_bcp47(column) -%}
    case
        when {{ regex_matches(
            'btrim(' ~ column ~ ')',
            '^[a-z]{2,3}([-_][a-z]{4})?([-_]([a-z]{2}|[0-9]{3}))?$',
            case_insensitive=true,
        ) }}
            then concat_ws(
                '-',
                lower({{ regex_substring('btrim(' ~ column ~ ')', '^([A-Za-z]{2,3})') }}),
                initcap({{ regex_substring(
                    'btrim(' ~ column ~ ')', '^[A-Za-z]{2,3}[-_]([A-Za-z]{4})(?:[-_]|$)'
                ) }}),
                upper({{ regex_substring(
                    'btrim(' ~ column ~ ')', '[-_]([A-Za-z]{2}|[0-9]{3})$'
                ) }})
            )
        else nullif(lower(replace(btrim({{ column }}), '_', '-')), '')
    end
{%- endmacro %}
