"""A reduced run of bench/load.py: several processes of mixed password work on one database
(SQLite and PostgreSQL); no error reaches a user, no update is lost, every operation audited.

The full figure (8 processes x 200 operations, with throughput) is `python -m bench.load`.
"""

from __future__ import annotations

from bench.load import run_load


def test_concurrent_mixed_work_loses_nothing_and_audits_everything(demo, settings):
    demo.close()
    result = run_load(settings.database_url, settings.key_file, processes=4, operations=40)
    assert result.errors == ()
    assert result.lost_updates == ()
    assert result.audit_records == result.audited_operations
    assert result.operations == 4 * 40
    assert all(result.done[name] for name in ("reveal", "reset", "self-change", "group-reset"))
