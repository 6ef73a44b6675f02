"""Group names sort as a school lists them, in the group pickers and on printed slips alike."""

from hwb_tui.domain.ordering import natural_order, year_order


def test_registration_groups_sort_by_number_then_letters() -> None:
    groups = ["10B", "7a", "10A", "4C", "Nursery", "7B", "12"]
    assert sorted(groups, key=natural_order) == ["4C", "7a", "7B", "10A", "10B", "12", "Nursery"]


def test_years_sort_from_nursery_up_and_other_names_last() -> None:
    assert sorted(["10", "R", "7", "Leavers", "N", "1"], key=year_order) == [
        "N",
        "R",
        "1",
        "7",
        "10",
        "Leavers",
    ]
