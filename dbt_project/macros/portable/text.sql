{#
    Regular expressions, lists in text and text aggregates (docs/portability.md). Patterns are
    POSIX regular expressions as PostgreSQL reads them, given as Jinja strings: a backslash is
    written twice (Jinja reads escapes in strings, `'\\.'` is `\.`), a single quote once (the
    macro escapes it for SQL).
#}

{# Whether text matches a pattern (anywhere, unless anchored); NULL for NULL text. #}
{% macro regex_matches(text, pattern, case_insensitive=false) -%}
    {{ return(adapter.dispatch('regex_matches', 'touchpoint')(text, pattern, case_insensitive)) }}
{%- endmacro %}

{% macro postgres__regex_matches(text, pattern, case_insensitive) -%}
    {{ text }} {{ '~*' if case_insensitive else '~' }} '{{ pattern | replace("'", "''") }}'
{%- endmacro %}

{# The part of text the pattern's first parenthesised group matched; NULL when none. #}
{% macro regex_substring(text, pattern) -%}
    {{ return(adapter.dispatch('regex_substring', 'touchpoint')(text, pattern)) }}
{%- endmacro %}

{% macro postgres__regex_substring(text, pattern) -%}
    substring({{ text }} from '{{ pattern | replace("'", "''") }}')
{%- endmacro %}

{# Text with every match of the pattern replaced. #}
{% macro regex_replace_all(text, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace_all', 'touchpoint')(text, pattern, replacement)) }}
{%- endmacro %}

{% macro postgres__regex_replace_all(text, pattern, replacement) -%}
    regexp_replace({{ text }}, '{{ pattern | replace("'", "''") }}', '{{ replacement }}', 'g')
{%- endmacro %}

{# A row source: one row per item of a delimited text list (`alias (element)`). #}
{% macro split_to_rows(text, delimiter, alias, element) -%}
    {{ return(adapter.dispatch('split_to_rows', 'touchpoint')(text, delimiter, alias, element)) }}
{%- endmacro %}

{% macro postgres__split_to_rows(text, delimiter, alias, element) -%}
    unnest(string_to_array({{ text }}, '{{ delimiter }}')) as {{ alias }} ({{ element }})
{%- endmacro %}

{# Aggregate: the distinct values of a text expression, sorted, joined by `delimiter`. #}
{% macro sorted_distinct_list(text, delimiter) -%}
    {{ return(adapter.dispatch('sorted_distinct_list', 'touchpoint')(text, delimiter)) }}
{%- endmacro %}

{% macro postgres__sorted_distinct_list(text, delimiter) -%}
    string_agg(distinct {{ text }}, '{{ delimiter }}' order by {{ text }})
{%- endmacro %}
