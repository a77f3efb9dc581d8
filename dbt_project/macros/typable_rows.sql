{#
    Defence behind the ingest row rules: a raw row one of whose values a staging cast refuses
    (loaded by another loader than the ingest, or changed and stamped as loaded again) is left out
    of staging, and the typable_raw_rows test lists it, instead of failing every model downstream
    of that source and with it every campaign. Each staging model filters its source with
    typable_row(table); its coverage model (staging_coverage below) counts the rows left out of
    each file, and the generic test typable_raw_rows (tests/generic) lists them in a warning.
#}

{#
    How staging casts each raw table's typed columns. `required` columns are cast as
    btrim(column), so a blank fails; `optional` ones as nullif(btrim(column), ''), so a blank
    is NULL. The cast as the model spells it: a type, `numeric::integer`, or `to_timestamptz`.
#}
{% macro raw_casts(table) -%}
    {{ return({
        'crm_customers': {
            'required': {'updated_at': 'to_timestamptz'},
            'optional': {'birth_date': 'date', 'created_at': 'to_timestamptz'},
        },
        'crm_vehicles': {
            'required': {'delivered_at': 'date'},
            'optional': {
                'model_year': 'numeric::integer',
                'last_service_at': 'date',
                'service_interval_months': 'numeric::integer',
            },
        },
        'catalog_products': {'required': {}, 'optional': {'price': 'numeric'}},
        'web_events': {
            'required': {'occurred_at': 'timestamptz'},
            'optional': {'revenue': 'numeric', 'properties': 'jsonb'},
        },
        'pos_transactions': {
            'required': {'line_number': 'numeric::integer', 'purchased_at': 'to_timestamptz'},
            'optional': {'quantity': 'numeric', 'unit_price': 'numeric'},
        },
    }[table]) }}
{%- endmacro %}

{# Each typed column of a raw table: (column, the expression the cast reads, the cast). #}
{% macro raw_typed_columns(table) -%}
    {%- set casts = raw_casts(table) -%}
    {%- set columns = [] -%}
    {%- for column, cast in casts['required'].items() -%}
        {%- set _ = columns.append((column, 'btrim(' ~ column ~ ')', cast)) -%}
    {%- endfor -%}
    {%- for column, cast in casts['optional'].items() -%}
        {%- set _ = columns.append((column, "nullif(btrim(" ~ column ~ "), '')", cast)) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#
    Whether the cast of `expression` will succeed (NULL is fine), asking the server's own input
    functions (can_cast); set-based, no exception per row. numeric→integer rounds half
    away from zero, hence the bounds.
#}
{% macro typable(expression, cast) -%}
    {%- if cast == 'numeric::integer' -%}
        coalesce(
            case
                when {{ can_cast(expression, 'numeric') }}
                    then ({{ expression }})::numeric > -2147483648.5
                    and ({{ expression }})::numeric < 2147483647.5
                else false
            end,
            true
        )
    {%- elif cast == 'to_timestamptz' -%}
        case
            when {{ has_offset(expression) }}
                then {{ can_cast(expression, 'timestamptz') }}
            else {{ can_cast(expression, 'timestamp') }}
        end
    {%- else -%}
        {{ can_cast(expression, cast) }}
    {%- endif -%}
{%- endmacro %}

{# Whether every typed value of a row of the raw table will cast (a where clause). #}
{% macro typable_row(table) -%}
    {%- set checks = [] -%}
    {%- for column, expression, cast in raw_typed_columns(table) -%}
        {%- set _ = checks.append(typable(expression, cast)) -%}
    {%- endfor -%}
    {{ checks | join('\n    and ') if checks else 'true' }}
{%- endmacro %}

{#
    typable_row for a staging model, judging each raw row once: the rows of a file that the
    model's coverage model (`coverage`, its ref) found clean, none left out, are taken without
    checking their values again; the rows of any other file (flagged, or loaded after the
    coverage model's build) are checked here. At 1 M customers the check of every web event came
    to a quarter of a first build's staging. The verdict is trusted per file, its `_source` and
    load stamp, as the incremental models trust the stamp: a row changed in place must be
    loaded again, with a new stamp, to be judged again.
#}
{% macro typable_row_once(table, coverage) -%}
    (
        (_source, _loaded_at) in (
            select _source, _loaded_at
            from {{ coverage }}
            where rows_left_out = 0
        )
        or ({{ typable_row(table) }})
    )
{%- endmacro %}

{#
    How much of raw.<table> staging covers: one row per file loaded (its `_source` and load
    stamp), with the rows it holds and how many of them staging leaves out because a cast would
    refuse a value. Incremental like the big staging models (macros/incremental.sql): a build
    judges only the files loaded since the newest one it holds, so each raw row is checked once,
    not at every build. A row per file, not per row left out, keeps the newest load stamp in the
    table even when nothing is left out. The test typable_raw_rows lists the rows behind a
    non-zero count.

    A file the ingest loaded is taken from its registry (raw._landing_files) without reading its
    rows: the ingest judged each row by the row rules as it split the file, in the transaction
    that registered it (so its `_loaded_at` is the file's `ingested_at`), and a rule accepts
    exactly the values its staging cast accepts (warehouse/row_rules.py, held to the casts value
    by value by the tests), so none of its rows is left out. Judging them again here put 43 s on
    the critical path of a first build at 1 M customers. The rows of any other loader (the CRM
    database, a hand-made insert) are checked here.
#}
{% macro staging_coverage(table) -%}
    {%- set registry = source('raw', '_landing_files') -%}
    {#- One cutoff for both halves, so a file is in this build or wholly in a later one. -#}
    {%- set cutoff = load_cutoff() -%}
    {%- set newest = newest_held() if is_incremental() else none -%}
    select
        path as _source,
        ingested_at as _loaded_at,
        rows_loaded as rows_read,
        0::bigint as rows_left_out
    from {{ registry }}
    where source = '{{ table }}'
        and status = 'loaded'
        and rows_loaded > 0
        and {{ loaded_between('ingested_at', cutoff, newest) }}

    union all

    select
        _source,
        _loaded_at,
        count(*) as rows_read,
        count(*) filter (where not ({{ typable_row(table) }})) as rows_left_out
    from {{ source('raw', table) }}
    where {{ loaded_between('_loaded_at', cutoff, newest) }}
        and (_source, _loaded_at) not in (
            select path, ingested_at
            from {{ registry }}
            where source = '{{ table }}' and status = 'loaded'
        )
    group by _source, _loaded_at
{%- endmacro %}
