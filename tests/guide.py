"""The guide's own words that tests compare against, copied from hwb-ump-password-guide.txt
rather than imported from the code, so a wrong column or warning in the code fails a test."""

from __future__ import annotations

# "Download Passwords": "The file will include the following user information".
PUPIL_COLUMNS = [
    "Forename",
    "Surname",
    "Username",
    "Password",
    "Date created",
    "Year",
    "Reg group",
    "Consent",
    "Admission number",
]
STAFF_COLUMNS = ["Forename", "Surname", "Username", "Password", "Date created", "Staff code"]
DOWNLOAD_WARNING = (
    "Please note: If you download user credentials, it is your responsibility to then ensure "
    "these are handled appropriately"
)
