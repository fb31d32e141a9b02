"""What each target controller accepts: name rules, program length, native weaving, joint data.

Sources: shared/reference/robot-languages.md (RAPID names up to 32 characters, KRL up to 24, FANUC program
names kept to 10 by open posts, programs split at 1,400–2,500 lines by open KRL posts). Where the reference
marks a limit as uncertain, the default here is the conservative side and the per-cell template can change
the program-length limit (`max_points_per_program`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from weldcraft.export.validate import Issue

IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

# Reserved words of RAPID (RAPID reference, "Reserved words"); KRL (keywords of the KRL system software);
# URScript (keywords of the script language). Compared case-insensitively for RAPID and KRL.
RAPID_RESERVED = frozenset(
    """ALIAS AND BACKWARD CASE CONNECT CONST DEFAULT DIV DO ELSE ELSEIF ENDFOR ENDFUNC ENDIF ENDMODULE ENDPROC
    ENDRECORD ENDTEST ENDTRAP ENDWHILE ERROR EXIT FALSE FOR FROM FUNC GOTO IF INOUT LOCAL MOD MODULE NOSTEPIN
    NOT NOVIEW OR PERS PROC RAISE READONLY RECORD RETRY RETURN STEP SYSMODULE TASK TEST THEN TO TRAP TRUE
    TRYNEXT UNDO VAR VIEWONLY WHILE WITH XOR MAIN""".split()
)
KRL_RESERVED = frozenset(
    """AND ANIN ANOUT B_AND B_NOT B_OR B_EXOR BOOL BRAKE C_DIS C_ORI C_PTP C_VEL CASE CAST_FROM CAST_TO CHAR
    CIRC CIRC_REL CONST CONTINUE DEF DEFAULT DEFDAT DEFFCT DELAY DECL DISTANCE DO ELSE END ENDDAT ENDFCT
    ENDFOR ENDIF ENDLOOP ENDSWITCH ENDWHILE ENUM EXIT EXT EXTFCT FALSE FOR GLOBAL GOTO HALT IF IMPORT INT
    INTERRUPT IS
    LIN LIN_REL LOOP MAXIMUM MINIMUM NOT OR PRIO PTP PTP_REL PUBLIC REAL REPEAT RESUME RETURN SEC SIGNAL STRUC
    SWITCH THEN TO TRIGGER TRUE UNTIL WAIT WHEN WHILE EXOR MAIN""".split()
)
URSCRIPT_RESERVED = frozenset(
    "def end if elif else while for in return True False and or not thread run kill join global halt break "
    "continue pass sec enter_critical exit_critical local".split()
)


@dataclass(frozen=True)
class ControllerCaps:
    """Constraints of one output format.

    Attributes:
        format: registry name ("rapid", ...).
        label: vendor/format name for messages.
        max_name_chars: longest program/module name the controller accepts.
        reserved: words a name may not be (upper-cased when `case_insensitive`).
        native_weave: canonical weave patterns the controller superimposes itself.
        needs_joints: the format carries joint positions only (a program without q_rad cannot be written).
        default_max_points: motion points per program/module before the program is split (None: no limit).
        uppercase_names: names are written upper case (FANUC).
        simplify: points are reduced within the tolerance (controllers interpolating Cartesian lines); the
            time-stamped trajectory formats (ROS 2, CSV, JSON) keep every sample.
    """

    format: str
    label: str
    max_name_chars: int
    reserved: frozenset[str] = frozenset()
    case_insensitive: bool = True
    native_weave: frozenset[str] = frozenset()
    needs_joints: bool = False
    default_max_points: int | None = None
    uppercase_names: bool = False
    simplify: bool = True

    def name_issues(self, name: str, what: str = "program name") -> list[Issue]:
        """Errors for a name this controller would reject (nothing is renamed silently)."""
        out: list[Issue] = []
        if not IDENTIFIER.match(name):
            out.append(
                Issue(
                    "name",
                    "error",
                    f"{what} {name!r} is not an identifier for {self.label}: expected a letter followed by "
                    f"letters, digits or '_' (no spaces), e.g. {sanitize_name(name, self)!r}",
                )
            )
        if len(name) > self.max_name_chars:
            out.append(
                Issue(
                    "name",
                    "error",
                    f"{what} {name!r} has {len(name)} characters; {self.label} allows {self.max_name_chars}, "
                    f"e.g. {sanitize_name(name, self)!r}",
                )
            )
        key = name.upper() if self.case_insensitive else name
        if key in self.reserved:
            out.append(Issue("name", "error", f"{what} {name!r} is a reserved word of {self.label}"))
        return out


def sanitize_name(name: str, caps: ControllerCaps) -> str:
    """A valid name close to `name`: invalid characters become '_', a leading non-letter gets a 'W' prefix,
    the result is truncated to the controller's limit and suffixed with '_' if it is a reserved word."""
    out = re.sub(r"[^A-Za-z0-9_]", "_", name.strip()) or "W"
    if not out[0].isalpha():
        out = "W" + out
    out = out[: caps.max_name_chars]
    key = out.upper() if caps.case_insensitive else out
    if key in caps.reserved:
        out = out[: caps.max_name_chars - 1] + "_"
    return out.upper() if caps.uppercase_names else out


CONTROLLERS: dict[str, ControllerCaps] = {
    "rapid": ControllerCaps(
        "rapid",
        "ABB RAPID",
        32,
        RAPID_RESERVED,
        native_weave=frozenset({"zigzag", "triangle"}),
        default_max_points=2000,
    ),
    "krl": ControllerCaps(
        "krl",
        "KUKA KRL",
        24,
        KRL_RESERVED,
        native_weave=frozenset({"zigzag"}),
        default_max_points=1000,
    ),
    "fanuc": ControllerCaps(
        "fanuc",
        "FANUC TP",
        10,
        frozenset(),
        native_weave=frozenset({"zigzag"}),
        default_max_points=1500,
        uppercase_names=True,
    ),
    "urscript": ControllerCaps("urscript", "URScript", 63, URSCRIPT_RESERVED, case_insensitive=False),
    "ros2": ControllerCaps(
        "ros2", "ROS 2", 63, frozenset(), case_insensitive=False, needs_joints=True, simplify=False
    ),
    "csv": ControllerCaps("csv", "CSV", 63, frozenset(), case_insensitive=False, simplify=False),
    "json": ControllerCaps("json", "JSON", 63, frozenset(), case_insensitive=False, simplify=False),
}
