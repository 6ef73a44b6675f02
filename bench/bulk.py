"""The All Pupils CSV of a 100,000-learner school, every password stored, beside raw work.

The baseline reads the same rows with bare `sqlite3`, opens each sealed copy with AES-GCM
directly (the same key and associated data) and writes the same columns with `csv`; the
service adds its rights check, the formula-disarming, the 0600 write and the audit record.
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

from bench.generate import TEACHER, SchoolSize, build
from bench.measure import Figure, paired_medians
from hwb_tui.domain.rights import Download
from hwb_tui.services.config import Settings
from hwb_tui.services.crypto import account_context, read_key_file
from hwb_tui.services.hwb import Hwb

LEARNERS = 100_000
MIN_RATE_RATIO = 0.8


def csv_export_figure(workdir: Path) -> Figure:
    url = f"sqlite:///{workdir / 'export.sqlite3'}"
    key_file = workdir / "export.key"
    build(url, key_file, [SchoolSize(learners=LEARNERS)], available_share=1.0)
    out = workdir / "out"
    out.mkdir(exist_ok=True)
    with Hwb.open(Settings.resolve(url, key_file)) as hwb:
        teacher = hwb.users.actor(TEACHER)

        def service():
            return hwb.exports.download(teacher, Download.ALL_PUPILS, out / "service.csv")

        rows = service().rows
        measured, baseline = paired_medians(
            service,
            lambda: _raw_export(url.removeprefix("sqlite:///"), key_file, out / "raw.csv"),
            warm_up=False,
        )
    ratio = baseline / measured  # a rate ratio: the service's rows per second over the raw
    return Figure(
        f"CSV export, {rows:,} learners with passwords (SQLite)",
        f"rate >= {MIN_RATE_RATIO} x raw",
        f"{rows / measured:,.0f} rows/s",
        f"{rows / baseline:,.0f} rows/s",
        ratio,
        ratio >= MIN_RATE_RATIO,
    )


def _raw_export(path: str, key_file: Path, out: Path) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead = AESGCM(read_key_file(key_file))
    connection = sqlite3.connect(path)
    query = (
        "SELECT id, forename, surname, username, sealed_password, created_at, year, reg_group, "
        "consent, admission_number FROM account WHERE school_id = 1 AND kind = 'learner' "
        "ORDER BY surname, forename, username"
    )
    header = 1 + 8  # format version and key id, then a 12-byte nonce
    with out.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        for (
            id_,
            forename,
            surname,
            username,
            sealed,
            created,
            year,
            group,
            consent,
            number,
        ) in connection.execute(query):
            password = aead.decrypt(
                sealed[header : header + 12], sealed[header + 12 :], account_context(id_)
            ).decode()
            day = f"{created[8:10]}/{created[5:7]}/{created[:4]}"
            agreed = "" if consent is None else ("Yes" if consent else "No")
            writer.writerow(
                (forename, surname, username, password, day, year, group, agreed, number)
            )
    connection.close()
