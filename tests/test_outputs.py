"""The output tables are what their declaration (model/outputs.py) says, and README's table
of outputs is generated from it."""

from __future__ import annotations

from model.model import DiffusionModel
from model.outputs import (
    OUTPUT_TABLES,
    README_FILE,
    build_tables,
    read_tables,
    replace_readme_table,
)


def test_every_table_has_exactly_its_documented_columns(baseline) -> None:
    one_year_programme = {  # so that the calls table has a year to show
        "run.months": 13,
        "programme.enabled": True,
        "programme.start_month": 1,
        "programme.years": 1,
        "shared_procurement.enabled": True,  # so that the contracts table has awards
        "shared_procurement.start_month": 1,
    }
    model = DiffusionModel(
        baseline.with_overrides(one_year_programme), seed=[1, 2], record_events=True
    ).run()
    tables = build_tables(model)
    for table in OUTPUT_TABLES:
        assert tuple(tables[table.name].columns) == table.column_names, table.name
        assert set(tables[table.name]["replication"]) == {0, 1}, table.name


def test_readme_lists_the_declared_tables() -> None:
    text = README_FILE.read_text(encoding="utf-8")
    assert replace_readme_table(text) == text, "README.md is out of date: python -m model.outputs"


def test_a_written_run_reads_back_whole(tmp_path, baseline) -> None:
    from experiments.run import run_scenario, write_run

    results = run_scenario(baseline.with_overrides({"run.months": 4}), 2, progress=False)
    write_run(results, tmp_path, started="now")
    back = read_tables(tmp_path)
    assert sorted(back) == sorted(results.tables)
    for name, table in results.tables.items():
        assert back[name].shape == table.shape, name
        assert (back[name]["replication"].to_numpy() == table["replication"].to_numpy()).all()
