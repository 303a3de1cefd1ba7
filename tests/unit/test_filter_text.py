"""The --filter grammar: what it reads into a ListQuery, what it refuses and where, and its canonical text."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ims_tui.api import ims_filters
from ims_tui.api.filter_text import KEYS, RESERVED, FilterTextError, format, parse, terms
from ims_tui.api.query import DateFilter, ListQuery

GIB = 1024**3


def test_the_issue_s_example_reads_into_the_query() -> None:
    query = parse(
        "status=active,queued visibility=shared tag=golden name=ubuntu-22.04 os_distro=ubuntu size>10G "
        "created>2026-01-01"
    )
    assert query.statuses == ("active", "queued") and query.visibility == "shared" and query.tags == ("golden",)
    assert query.name == "ubuntu-22.04" and query.properties == (("os_distro", "ubuntu"),)
    assert query.size_min == 10 * GIB + 1 and query.size_max is None
    assert query.created_at == (DateFilter(op="gt", value="2026-01-01T00:00:00Z"),)
    assert ("status", "in:active,queued") in query.to_params() and ("created_at", "gt:2026-01-01T00:00:00Z") in (
        query.to_params()
    )


def test_quotes_units_dates_and_repeats() -> None:
    query = parse('name="my image" tag=a tag="b c" size>=512MiB size<=1T updated<2026-02-03T04:05:06+01:00')
    assert query.name == "my image" and query.tags == ("a", "b c")
    assert (query.size_min, query.size_max) == (512 * 1024**2, 1024**4)
    assert query.updated_at == (DateFilter(op="lt", value="2026-02-03T03:05:06Z"),)
    assert parse("size<100bytes protected=yes os_hidden=false").size_max == 99
    assert parse('note="say \\"hi\\""').properties == (("note", 'say "hi"'),)


def test_it_replaces_the_filters_but_keeps_the_limit_and_sort() -> None:
    base = ListQuery(limit=50, sort=(("name", "asc"),), statuses=("killed",), owner="p")
    query = parse("tag=x", base)
    assert (query.limit, query.sort, query.statuses, query.owner, query.tags) == (50, base.sort, (), None, ("x",))
    assert parse("", base) == base.with_changes(statuses=(), owner=None)


@pytest.mark.parametrize(
    ("text", "column", "carets", "words"),
    [
        ("size>10Q", 6, "^^^", '"10Q" is not a size (use 10G, 512M, 1T or bytes)'),
        ("status>active", 7, "^", "status takes only ="),
        ("size=1G", 5, "^", "size takes > >= < <="),
        ("name=", 6, "^", "name has an empty value"),
        ("tag", 1, "^^^", "tag needs an operator and a value"),
        ("x==1", 2, "^^", '"==" is not an operator'),
        ("created>2026-13-01", 9, "^" * 10, "is not a date (use 2026-01-31 or 2026-01-31T12:00:00Z)"),
        ("protected=maybe", 11, "^" * 5, "is not true or false"),
        ("visibility=everyone", 12, "^" * 8, "use one of public, private, shared, community, all"),
        ('name="open', 6, "^" * 5, "quote is not closed"),
        ("status=a status=b", 10, "^" * 6, "given twice, list them: status=active,queued"),
        ("limit=5", 1, "^" * 5, "limit is not a filter"),
        ("name=a,b", 6, "^^^", 'quote a value with commas: name="a,b"'),
        ("=x", 1, "^^", "write KEY=VALUE"),
    ],
)
def test_a_mistake_names_its_column_and_the_fix(text: str, column: int, carets: str, words: str) -> None:
    with pytest.raises(FilterTextError) as caught:
        parse(text)
    first, shown, marks = caught.value.report().splitlines()
    assert first.startswith(f"ims-tui: bad --filter at column {column}: ") and words in first
    assert shown == "  " + text and marks == "  " + " " * (column - 1) + carets


def test_format_is_canonical() -> None:
    text = 'os_distro=ubuntu size>10G tag=b status=active,queued name="my image" created>=2026-01-01T10:00:00Z'
    assert format(parse(text)) == (
        'name="my image" status=active,queued tag=b size>10G created>=2026-01-01T10:00:00Z os_distro=ubuntu'
    )
    assert format(ListQuery(limit=5, sort=(("name", "asc"),))) == ""


def test_every_key_has_an_example_the_grammar_reads() -> None:
    for key in KEYS:
        for example in key.example.split(" or "):
            assert parse(example) != ListQuery(), example


def test_ims_filters_read_as_the_properties_cloudimages_takes() -> None:
    query = parse("__imagetype=gold __os_type=Linux __support_kvm=true flavor_id=s6.small.1 created>2026-01-01")
    assert query.properties == (
        ("__imagetype", "gold"),
        ("__os_type", "Linux"),
        ("__support_kvm", "true"),
        ("flavor_id", "s6.small.1"),
    )
    assert ("created_at", "gt:2026-01-01T00:00:00Z") in query.to_params()  # IMS's operator:UTC form
    assert (
        format(query) == "created>2026-01-01 __imagetype=gold __os_type=Linux __support_kvm=true flavor_id=s6.small.1"
    )
    # words a Glance image may carry with other values are never refused
    assert parse("architecture=x86_64 virtual_env_type=KVM __platform=Rocky").properties[0] == (
        "architecture",
        "x86_64",
    )


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("__imagetype=golden", 13, 'IMS knows no __imagetype "golden" (use gold or private or shared or market)'),
        ("name=x __os_type=linux", 18, 'IMS knows no __os_type "linux"'),
        ("__support_xen=false", 15, 'no __support_xen "false" (use true)'),
        ("__imagetype=gold __imagetype=shared", 18, "__imagetype is given twice: IMS takes one value"),
    ],
)
def test_a_value_ims_does_not_know_is_refused_where_it_is(text: str, column: int, words: str) -> None:
    with pytest.raises(FilterTextError) as caught:
        parse(text)
    assert caught.value.column == column and words in caught.value.message


def test_every_ims_filter_example_reads() -> None:
    for row in ims_filters.IMS_FILTERS:
        assert parse(row.example).properties[0][0] == row.param


# -- hypothesis: what the grammar can express goes round ------------------------------------------------------

words = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_characters="\x7f"), min_size=1)
plain = st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,11}", fullmatch=True)
sizes = st.none() | st.integers(min_value=0, max_value=2**50)
moments = st.datetimes(datetime(1970, 1, 1), datetime(2999, 12, 31)).map(
    lambda d: d.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
)
dates = st.builds(
    DateFilter,
    st.sampled_from(["gt", "gte", "lt", "lte", "eq", "neq"]),
    moments,
)
taken = {key.name for key in KEYS} | {"created_at", "updated_at", *RESERVED}
property_keys = st.from_regex(r"[a-z_][a-z0-9_]{0,10}", fullmatch=True).filter(
    lambda k: k not in taken and k not in ims_filters.BY_PARAM
)
# IMS's filters: each at most once, closed ones with a value IMS knows, the others with any words
ims_terms = st.lists(st.sampled_from(ims_filters.IMS_FILTERS), unique=True, max_size=4).flatmap(
    lambda rows: st.tuples(
        *(st.tuples(st.just(row.param), st.sampled_from(row.choices) if row.closed else words) for row in rows)
    )
)
queries = st.builds(
    ListQuery,
    name=st.none() | words,
    ids=st.lists(plain, max_size=3).map(tuple),
    statuses=st.lists(plain, max_size=3).map(tuple),
    visibility=st.none() | st.sampled_from(["public", "private", "shared", "community", "all"]),
    member_status=st.none() | st.sampled_from(["accepted", "pending", "rejected", "all"]),
    container_formats=st.lists(plain, max_size=2).map(tuple),
    owner=st.none() | words,
    tags=st.lists(words, max_size=3).map(tuple),
    protected=st.none() | st.booleans(),
    os_hidden=st.none() | st.booleans(),
    disk_formats=st.lists(plain, max_size=2).map(tuple),
    size_min=sizes,
    size_max=sizes,
    created_at=st.lists(dates, max_size=2).map(tuple),
    updated_at=st.lists(dates, max_size=2).map(tuple),
    properties=st.builds(
        lambda generic, ims: tuple(generic) + tuple(ims),
        st.lists(st.tuples(property_keys, words), max_size=3),
        ims_terms,
    ),
)


@given(queries)
def test_parse_reads_back_what_format_writes(query: ListQuery) -> None:
    assert parse(format(query)) == query


@given(
    st.lists(
        st.sampled_from(["status=a,b", "size>1G", "size<=512M", 'name="x y"', "tag=t", "k=v", "created<2026-01-01"]),
        unique=True,
    )
)
def test_format_of_parse_is_stable(terms: list[str]) -> None:
    once = format(parse(" ".join(terms)))
    assert format(parse(once)) == once


@given(
    st.sampled_from([">", ">=", "<", "<="]),
    st.integers(min_value=1, max_value=1023),
    st.sampled_from(["K", "M", "G", "T"]),
)
def test_a_size_reads_back_in_the_unit_it_was_written_in(op: str, number: int, unit: str) -> None:
    """What the status line shows (``terms``) is what the user wrote: size>1G, not size>=1073741825."""
    written = f"size{op}{number}{unit}"
    assert terms(parse(written)) == [written]
    assert terms(parse(f"size{op}{number}{unit}iB")) == [written]


def test_the_status_line_terms_are_the_text_s() -> None:
    query = parse('status=active size>1G size<=2T os_hidden=true member_status=pending k="a b"')
    assert terms(query) == [
        "status=active",
        "member_status=pending",
        "os_hidden=true",
        "size>1G",
        "size<=2T",
        'k="a b"',
    ]
    assert " ".join(terms(query)) == format(query) and terms(ListQuery()) == []


@given(st.text(max_size=30))
def test_any_text_is_read_or_refused_with_a_column_inside_it(text: str) -> None:
    try:
        parse(text)
    except FilterTextError as error:
        assert 1 <= error.column <= len(text) + 1 and error.message


def test_every_filter_of_the_query_has_a_key() -> None:
    from ims_tui.api.query import FILTER_PARAMS

    written = {key.field for key in KEYS} | {"size_max", "properties"}
    assert written == {row.field for row in FILTER_PARAMS} - {"limit"}
