"""Cymraeg and English: complete catalogs, marked strings, the language choice, Welsh output."""

from __future__ import annotations

import csv
import gettext
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from textual.app import App
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Checkbox, Input, OptionList, Select

from hwb_tui.cli import main
from hwb_tui.domain import i18n, rights
from hwb_tui.domain.errors import InvalidInput, PolicyViolation
from hwb_tui.domain.i18n import _
from hwb_tui.domain.model import PasswordStatus, status_label
from hwb_tui.domain.policy import MAX_LENGTH, MIN_LENGTH, Rule, check_password
from hwb_tui.domain.rights import Download
from hwb_tui.services.config import Settings
from hwb_tui.services.csv_export import PUPIL_COLUMNS
from hwb_tui.services.demo import DEMO_PASSWORD
from hwb_tui.services.hwb import Hwb
from hwb_tui.ui.language import LANGUAGE_BINDING
from hwb_tui.ui.textual_messages import TEXTUAL_DESCRIPTIONS
from tests.i18n_scan import PACKAGE, formatted_marks, unmarked_literals

WELSH_PO = PACKAGE / "locale" / "cy" / "LC_MESSAGES" / "hwb_tui.po"
ENGLISH_PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "hwb_tui.po"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# As scripts/update-catalogs.sh extracts them.
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "NC_": ((1, "c"), 2)}

# Literals the scan finds that are not language: the program's name before a message that is
# itself translated, as every command-line tool prints it.
ALLOWED_UNMARKED = frozenset({"hwb-tui: {}", "hwb-tui: "})


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    """The language is process-wide: every test here leaves it as the other tests expect."""
    yield
    i18n.set_language(i18n.ENGLISH)


def _catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle, locale=path.parts[-3])


def _ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


# -- the catalogs --------------------------------------------------------------------------------


def test_every_message_in_the_code_is_in_the_welsh_catalog() -> None:
    """A string marked in the code but not yet extracted fails here: run the update script."""
    in_code = {
        (context, message if isinstance(message, str) else message[0])
        for _file, _line, message, _comments, context in extract_from_dir(
            PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS
        )
    }
    in_catalog = {
        (message.context, _ids(message)[0]) for message in _catalog(WELSH_PO) if message.id
    }
    missing = sorted(in_code - in_catalog)
    assert not missing, "not extracted (run scripts/update-catalogs.sh): " + repr(missing)


def test_every_message_has_a_welsh_translation() -> None:
    catalog = _catalog(WELSH_PO)
    untranslated = [
        _ids(message)[0]
        for message in catalog
        if message.id and (message.fuzzy or not all(_strings(message)))
    ]
    assert not untranslated, f"{len(untranslated)} without Welsh: {untranslated!r}"
    assert len(catalog) > 100


def test_translations_keep_every_placeholder() -> None:
    """A renamed or lost {name} would raise KeyError, or drop a value, at run time."""
    wrong = []
    for message in _catalog(WELSH_PO):
        if not message.id:
            continue
        expected = set(PLACEHOLDER.findall(_ids(message)[-1]))
        for string in _strings(message):
            if set(PLACEHOLDER.findall(string)) != expected:
                wrong.append((_ids(message)[0], string))
    assert not wrong


def test_the_compiled_catalogs_match_their_sources() -> None:
    """The .mo files shipped in the package are compiled from the .po files as they are now."""
    for po in (WELSH_PO, ENGLISH_PO):
        with po.with_suffix(".mo").open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)
        for message in _catalog(po):
            if message.id and not isinstance(message.id, tuple) and message.string:
                shown = (
                    compiled.pgettext(message.context, message.id)
                    if message.context
                    else compiled.gettext(message.id)
                )
                assert shown == message.string, message.id


def test_english_is_the_identity() -> None:
    i18n.set_language(i18n.ENGLISH)
    for message in _catalog(ENGLISH_PO):
        if message.id and not isinstance(message.id, tuple):
            assert _(message.id) == message.id


# -- marking -------------------------------------------------------------------------------------


def test_user_facing_literals_are_marked_for_translation() -> None:
    unmarked = [str(f) for f in unmarked_literals() if f.text not in ALLOWED_UNMARKED]
    assert not unmarked, "wrap these in _() or N_():\n" + "\n".join(unmarked)


def test_no_f_string_is_passed_to_gettext() -> None:
    """_(f"…") is filled in before the lookup and so never found in a catalog."""
    assert not [str(f) for f in formatted_marks()]


def test_the_scan_finds_what_it_is_meant_to(tmp_path: Path) -> None:
    (tmp_path / "sample.py").write_text(
        "raise InvalidInput('Bad thing.')\n"
        "raise InvalidInput(_('Marked thing.'))\n"
        "self.notify(f'Saved {path}')\n"
        "Binding('f2', 'switch', 'Cymraeg')\n"
        "Binding('f3', 'go', _('Go'))\n"
        "print('hwb-tui: ' + reason, file=sys.stderr)\n"
        "Label('-')\n",
        encoding="utf-8",
    )
    found = {finding.text for finding in unmarked_literals(tmp_path)}
    assert found == {"Bad thing.", "Saved {}", "Cymraeg", "hwb-tui: "}


# -- choosing the language -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "cy_GB.UTF-8"}, "cy"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LC_ALL": "cy_GB.UTF-8", "LANG": "en_GB.UTF-8"}, "cy"),
        ({"LC_MESSAGES": "cy_GB", "LANG": "en_GB.UTF-8"}, "cy"),
        ({"LC_ALL": "en_GB.UTF-8", "LC_MESSAGES": "cy_GB"}, "en"),
        ({"LANGUAGE": "fr:cy:en", "LANG": "en_GB.UTF-8"}, "cy"),
        ({"LANGUAGE": "", "LANG": "cy_GB.UTF-8"}, "cy"),
        ({"HWB_LANG": "cy", "LANG": "en_GB.UTF-8"}, "cy"),
        ({"HWB_LANG": "en", "LANG": "cy_GB.UTF-8"}, "en"),
    ],
)
def test_the_language_follows_hwb_lang_then_the_locale(env: dict, expected: str) -> None:
    assert i18n.resolve_language(None, env) == expected


def test_lang_wins_over_hwb_lang_and_the_locale() -> None:
    assert i18n.resolve_language("cy", {"HWB_LANG": "en", "LANG": "en_GB.UTF-8"}) == "cy"
    assert i18n.explicit_language(None, {"LANG": "cy_GB.UTF-8"}) is None  # the locale only


def test_an_unknown_hwb_lang_is_refused_clearly() -> None:
    with pytest.raises(InvalidInput, match="HWB_LANG must be cy or en"):
        i18n.resolve_language(None, {"HWB_LANG": "klingon"})


def test_the_switch_is_labelled_with_the_other_language() -> None:
    i18n.set_language(i18n.ENGLISH)
    assert _(LANGUAGE_BINDING.description) == "Cymraeg"
    i18n.set_language(i18n.other_language())
    assert i18n.current_language() == "cy"
    assert _(LANGUAGE_BINDING.description) == "English"
    assert i18n.other_language() == "en"


def test_a_shown_message_can_be_shown_again_in_the_other_language() -> None:
    i18n.set_language(i18n.ENGLISH)
    label = _("Search term")
    i18n.set_language(i18n.WELSH)
    assert i18n.retranslate(label) == "Term chwilio"
    i18n.set_language(i18n.ENGLISH)
    assert i18n.retranslate("Term chwilio") == "Search term"
    assert i18n.retranslate("Siôn Ó Briain") is None  # a name is never a message
    assert _("") == ""  # not the catalog's header


def test_textual_own_key_descriptions_are_all_marked() -> None:
    """The help lists Textual's keys too: each widget the app uses has its descriptions here."""
    used = (App, Screen, ModalScreen, Input, Button, OptionList, VerticalScroll, Select, Checkbox)
    descriptions = {
        binding.description
        for widget in used
        for cls in widget.__mro__
        for binding in cls.__dict__.get("BINDINGS", [])
        if isinstance(binding, Binding) and binding.description
    }
    assert descriptions <= set(TEXTUAL_DESCRIPTIONS)


# -- the domain in Welsh -------------------------------------------------------------------------


def test_policy_rules_and_errors_are_translated_when_shown() -> None:
    i18n.set_language(i18n.WELSH)
    assert Rule.UPPER.text == "llythyren fawr"
    with pytest.raises(PolicyViolation) as refused:
        check_password("abc")
    message = str(refused.value)
    assert message.startswith("Nid yw'r cyfrinair yn bodloni polisi cyfrineiriau Hwb")
    assert "o leiaf 8 nod" in message
    assert status_label(PasswordStatus.AVAILABLE) == "Dangos cyfrinair"
    assert status_label(PasswordStatus.UNAVAILABLE) == "-"
    assert _(Download.ALL_PUPILS) != Download.ALL_PUPILS


def test_the_written_rule_lengths_agree_with_the_policy() -> None:
    assert str(MIN_LENGTH) in Rule.MIN_LENGTH
    assert str(MAX_LENGTH) in Rule.MAX_LENGTH


def test_every_action_has_a_refusal_sentence() -> None:
    assert set(rights.REFUSALS) == set(rights.Action)


# -- the command line and the services in Welsh --------------------------------------------------


@pytest.fixture
def demo_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    with Hwb.open(Settings.resolve(url)) as hwb:  # the key beside it, where the CLI looks
        hwb.demo.build()
    return url


def test_cli_messages_follow_lang(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HWB_LANG", raising=False)
    code = main(["--lang", "cy", "--db", demo_url, "show", "nobody.here", "--as", "admin.demo"])
    assert code == 4
    assert capsys.readouterr().err == "hwb-tui: Nid oes defnyddiwr 'nobody.here'.\n"
    code = main(["--lang", "en", "--db", demo_url, "show", "nobody.here", "--as", "admin.demo"])
    assert capsys.readouterr().err == "hwb-tui: There is no user 'nobody.here'.\n"


def test_cli_help_and_messages_follow_hwb_lang_and_the_locale(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HWB_LANG", "cy")
    assert main(["--help"]) == 0
    assert "Cyfrineiriau Porth Rheoli Defnyddwyr Hwb" in capsys.readouterr().out
    monkeypatch.delenv("HWB_LANG")
    monkeypatch.setenv("LANG", "cy_GB.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.delenv("LANGUAGE", raising=False)
    assert main(["--db", demo_url, "audit", "--as", "teacher.demo"]) == 3
    assert "Dim ond" in capsys.readouterr().err


def test_a_bad_hwb_lang_changes_nothing_and_says_why(
    demo_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HWB_LANG", "xx")
    assert main(["--db", demo_url, "users", "--as", "teacher.demo"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "HWB_LANG" in captured.err


def test_csv_headers_stay_as_the_guide_lists_them_in_welsh(
    demo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "pupils.csv"
    args = ["--lang", "cy", "--db", demo_url, "export", "pupils", "--as", "teacher.demo"]
    assert main([*args, "-o", str(target), "--yes"]) == 0
    err = capsys.readouterr().err
    assert "Sylwch" in err  # the download warning, in Welsh
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert tuple(rows[0]) == PUPIL_COLUMNS


def test_the_chosen_language_is_remembered_per_user(demo: Hwb) -> None:
    teacher = demo.passwords.sign_in("teacher.demo", DEMO_PASSWORD)
    champion = demo.users.actor("champion.demo")
    assert demo.preferences.language(teacher) is None
    demo.preferences.set_language(teacher, "cy")
    demo.preferences.set_language(teacher, "cy")  # again: still one setting
    assert demo.preferences.language(teacher) == "cy"
    assert demo.preferences.language(champion) is None
    demo.preferences.set_language(teacher, "en")
    assert demo.preferences.language(teacher) == "en"
    with pytest.raises(InvalidInput):
        demo.preferences.set_language(teacher, "fr")
    assert demo.preferences.language(teacher) == "en"


def test_settings_keep_an_explicit_choice_only(tmp_path: Path) -> None:
    key = tmp_path / "k.key"
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    assert Settings.resolve(url, key, env={"LANG": "cy_GB.UTF-8"}).language is None
    assert Settings.resolve(url, key, env={"HWB_LANG": "cy"}).language == "cy"
    assert Settings.resolve(url, key, env={"HWB_LANG": "cy"}, language="en").language == "en"


def test_cli_user_lists_show_the_status_in_the_chosen_language(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--lang", "cy", "--db", demo_url, "users", "--as", "teacher.demo"]) == 0
    statuses = {line.split("\t")[-1] for line in capsys.readouterr().out.splitlines()}
    assert {"Dangos cyfrinair", "Defnyddiwr wedi newid", "-"} <= statuses
