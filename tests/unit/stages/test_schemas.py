"""pipeline.stages.schemas: the column tables become the arrow schemas the loader reads."""

from __future__ import annotations

import pyarrow as pa
import pytest

from pipeline.stages import schemas


def test_a_column_table_gives_one_field_per_line_in_order_and_comments_are_ignored():
    schema = schemas._schema("""
        article_id  string      # the key
        score       float64

        topics      strings
    """)
    assert schema == pa.schema([("article_id", pa.string()), ("score", pa.float64()),
                                ("topics", pa.list_(pa.string()))])


def test_after_puts_the_fields_of_another_schema_first():
    assert schemas.PAGES.names[:len(schemas.ITEMS.names)] == schemas.ITEMS.names
    assert schemas.PLAN.names == [*schemas.ITEMS.names, "page_attempts"]


def test_an_unknown_type_name_is_refused():
    with pytest.raises(KeyError):
        schemas._schema("when  datetime")


@pytest.mark.parametrize("dataset", sorted(schemas.KEYS))
def test_every_loaded_dataset_has_a_schema_holding_its_key(dataset):
    assert set(schemas.KEYS[dataset]) <= set(schemas.DATASETS[dataset].names)
