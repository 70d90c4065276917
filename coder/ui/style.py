"""The desktop app's colours, style sheets and fonts: one place for each look.

A widget never spells a colour or a style sheet itself; it names what the thing *is*
(an error, a caveat, another rater's code) and takes the look from here, so the same
meaning looks the same in every window. Scheme colours (a code's ``colour`` in the
scheme file), speaker colours and reliability bands are data of their own models
(``coder.ui.models``), not looks of the app.
"""

from __future__ import annotations

from PySide6.QtGui import QFont

# ---- text colours -----------------------------------------------------------------------
ERROR_COLOUR = "#b00020"  # a refusal or failure the user should read
OK_COLOUR = "#2e7d32"  # saved, done
FLAG_COLOUR = "#b03a2e"  # something to look at in a list (an episode out of order)
OTHERS_COLOUR = "#707070"  # other raters' codes and values: grey, never like one's own
MUTED_COLOUR = "#555555"  # secondary text: reasons, who decided
MISSING_COLOUR = "#888888"  # a number that could not be computed
RATING_COLOUR = "#ffffff"  # a rating column of the segment grid (codes have their own)

ERROR_STYLE = f"color: {ERROR_COLOUR};"
OK_STYLE = f"color: {OK_COLOUR};"
MUTED_STYLE = f"color: {MUTED_COLOUR};"

# ---- boxes ------------------------------------------------------------------------------
PROBLEM_BACKGROUND, PROBLEM_TEXT, PROBLEM_BORDER = "#fdecea", "#8a1c1c", "#e6a0a0"
CAVEAT_BACKGROUND, CAVEAT_TEXT, CAVEAT_BORDER = "#fff4ce", "#4a3800", "#e0c060"

# Why a view cannot show something (a plot, a profile), in a quiet red box.
MESSAGE_STYLE = (
    f"background: {PROBLEM_BACKGROUND}; color: {PROBLEM_TEXT}; padding: 6px; border-radius: 4px;"
)
# A notice that must not be missed (the formulation is refused or provisional).
NOTICE_STYLE = (
    f"background: {PROBLEM_BACKGROUND}; border: 1px solid {PROBLEM_BORDER}; "
    f"border-radius: 4px; padding: 8px; color: {PROBLEM_TEXT};"
)
# Read with care (incomplete coding): the caveat yellow, also behind incomplete rows.
CAVEAT_STYLE = (
    f"background: {CAVEAT_BACKGROUND}; border: 1px solid {CAVEAT_BORDER}; "
    f"border-radius: 4px; padding: 8px; color: {CAVEAT_TEXT};"
)

# ---- table rows -------------------------------------------------------------------------
SETTLED_COLOUR = "#e3f1dc"  # a disagreement already decided
TRAIT_COLOUR = "#eef3fa"  # the patient-level (trait) row of a profile
UNUSED_COLOUR = "#e6e6e6"  # a cell that does not apply (an intake item not asked)

# ---- headings ---------------------------------------------------------------------------
HEADLINE_STYLE = "font-size: 20pt; font-weight: 600;"  # the suggested / decided type
EMPHASIS_STYLE = "font-size: 13pt; font-weight: 600;"  # the difficulty under it

# ---- transcript highlights --------------------------------------------------------------
BOUNDARY_COLOUR = "#c0392b"  # the line where a segment starts
UNLISTED_CODE_COLOUR = "#d8c8f0"  # evidence of a code the shown scheme does not list
SUGGESTION_COLOUR = "#ececec"  # faint grey: a proposal, not anyone's code
EVIDENCE_COLOUR = "#ffe08a"  # a rater's evidence in the consensus view
FIND_MATCH_COLOUR = "#fff176"  # every match of the find box
FIND_CURRENT_COLOUR = "#ff9800"  # the match shown


def font(*, bold: bool = False, italic: bool = False) -> QFont:
    """The application font, bold and/or italic (group rows, one's own values…)."""
    chosen = QFont()
    chosen.setBold(bold)
    chosen.setItalic(italic)
    return chosen
