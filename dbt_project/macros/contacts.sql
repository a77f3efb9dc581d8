{#
    Contact normalisation (docs/architecture.md, Sending invariants: Consent): ingestion lets
    invalid emails and phone numbers through, so staging normalises them and flags validity; only
    valid ones are ever used.
#}

{% macro normalise_email(column) -%}
    nullif(lower(btrim({{ column }})), '')
{%- endmacro %}

{# A pragmatic address check (local@domain.tld), not full RFC 5322: what senders accept. #}
{% macro email_is_valid(normalised_email) -%}
    coalesce(
        {{ regex_matches(
            normalised_email,
            "^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$",
        ) }},
        false
    )
{%- endmacro %}

{#
    E.164 as far as text allows: spaces, dots, dashes and parentheses removed, a leading 00
    read as +. National numbers without a country code stay as they are and fail the check.
#}
{% macro normalise_phone(column) -%}
    nullif(
        {{ regex_replace_all(
            regex_replace_all('btrim(' ~ column ~ ')', '[[:space:].()-]', ''), '^00', '+'
        ) }},
        ''
    )
{%- endmacro %}

{% macro phone_is_valid(normalised_phone) -%}
    coalesce({{ regex_matches(normalised_phone, '^\\+[1-9][0-9]{7,14}$') }}, false)
{%- endmacro %}
