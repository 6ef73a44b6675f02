"""Credential slips as a PDF: ten cut-out slips to an A4 page, in reading order.

The text is real, selectable text in an embedded Unicode font (Noto Sans, from the
`fontpkg-noto-sans` package), so Welsh letters such as ŵ, ŷ, â and ï come out exactly on
any machine. fpdf2 and the font are loaded only when the first slip is printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hwb_tui.domain.i18n import _
from hwb_tui.domain.text import safe_text

PAGE_MARGIN = 10.0  # mm
COLUMNS = 2
ROWS = 5
SLIPS_PER_PAGE = COLUMNS * ROWS
PADDING = 5.0  # mm inside each slip
LABEL_SIZE = 9.0  # pt
MIN_FONT_SIZE = 6.0  # pt: below this a value wraps instead of shrinking further
FONT_FAMILY = "NotoSans"
GREY = (90, 90, 90)
CUT_LINE_GREY = (160, 160, 160)
PT_TO_MM = 25.4 / 72


@dataclass(frozen=True, slots=True)
class Slip:
    """What one slip says. `password` is None on a details-only slip."""

    school: str
    name: str
    username: str
    group_label: str  # "Registration group" for a learner, "Role" for anyone else
    group: str
    password: str | None = None


def render_slips(slips: Sequence[Slip]) -> bytes:
    """The PDF bytes: slips left to right, then top to bottom, in the order given."""
    from fontpkg_noto_sans import ROOT as FONT_ROOT
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(_("Hwb sign-in slips"))
    pdf.set_creator("hwb-tui")
    pdf.set_lang("en-GB")
    pdf.set_auto_page_break(False)
    pdf.set_margins(PAGE_MARGIN, PAGE_MARGIN)
    # The variable font's default instance is the regular weight; other weights would need
    # instancing, which takes seconds, so emphasis comes from size alone.
    pdf.add_font(FONT_FAMILY, "", FONT_ROOT / "files" / "NotoSans[wdth,wght].ttf")
    pdf.set_font(FONT_FAMILY, size=10)
    width = (pdf.w - 2 * PAGE_MARGIN) / COLUMNS
    height = (pdf.h - 2 * PAGE_MARGIN) / ROWS
    for start in range(0, len(slips), SLIPS_PER_PAGE):
        pdf.add_page()
        page = slips[start : start + SLIPS_PER_PAGE]
        _draw_cut_lines(pdf, width, height, rows=(len(page) + COLUMNS - 1) // COLUMNS)
        for index, slip in enumerate(page):
            row, column = divmod(index, COLUMNS)
            _draw_slip(
                pdf,
                slip,
                x=PAGE_MARGIN + column * width + PADDING,
                y=PAGE_MARGIN + row * height + PADDING,
                width=width - 2 * PADDING,
            )
    return bytes(pdf.output())


def _draw_cut_lines(pdf, width: float, height: float, rows: int) -> None:
    pdf.set_draw_color(*CUT_LINE_GREY)
    pdf.set_line_width(0.2)
    left, top = PAGE_MARGIN, PAGE_MARGIN
    right, bottom = left + COLUMNS * width, top + rows * height
    with pdf.local_context():
        pdf.set_dash_pattern(dash=2, gap=1.5)
        for row in range(rows + 1):
            pdf.line(left, top + row * height, right, top + row * height)
        for column in range(COLUMNS + 1):
            pdf.line(left + column * width, top, left + column * width, bottom)


def _draw_slip(pdf, slip: Slip, x: float, y: float, width: float) -> None:
    fields = [(_("Username:"), slip.username, 12), (slip.group_label + ":", slip.group, 10)]
    if slip.password is not None:
        fields.append((_("Password:"), slip.password, 14))
    pdf.set_font_size(LABEL_SIZE)
    # The values start in one column, so the eye finds them quickly.
    label_width = max(pdf.get_string_width(label) for label, _value, _size in fields) + 2
    y = _line(pdf, x, y, width, safe_text(slip.school), size=8, color=GREY)
    y = _line(pdf, x, y + 1, width, safe_text(slip.name), size=16)
    y += 2
    for label, value, size in fields:
        y = _field(pdf, x, y, width, label_width, label, safe_text(value), size=size)
    _line(
        pdf,
        x,
        y + 2,
        width,
        _("To sign in, go to hwb.gov.wales and choose Sign in."),
        size=8,
        color=GREY,
    )


def _line(pdf, x: float, y: float, width: float, text: str, size: float, color=(0, 0, 0)) -> float:
    """One line of text shrunk to fit the width (wrapped if even the smallest size is too
    wide); returns the y below it."""
    pdf.set_text_color(*color)
    pdf.set_font_size(size)
    text_width = pdf.get_string_width(text)
    room = (width - 2 * pdf.c_margin) * 0.98  # a little slack, so rounding never wraps it
    fits = text_width <= room or size * room / text_width >= MIN_FONT_SIZE
    if text_width > room:
        pdf.set_font_size(max(MIN_FONT_SIZE, size * room / text_width))
    line_height = pdf.font_size_pt * PT_TO_MM * 1.35
    pdf.set_xy(x, y)
    if fits:  # one line: a plain cell, far cheaper than the line-breaking engine
        pdf.cell(width, line_height, text)
        return y + line_height
    pdf.multi_cell(width, line_height, text, wrapmode="CHAR", new_x="LEFT", new_y="NEXT")
    return pdf.get_y()


def _field(
    pdf, x: float, y: float, width: float, label_width: float, label: str, value: str, size: float
) -> float:
    """A grey label, then its value in black on the same line."""
    pdf.set_text_color(*GREY)
    pdf.set_font_size(LABEL_SIZE)
    pdf.set_xy(x, y)
    pdf.cell(label_width, size * PT_TO_MM * 1.35, label)
    return _line(pdf, x + label_width, y, width - label_width, value, size=size)
