"""How values are shown in error messages: what a client sent, and numbers as people write them.

Pure Python, imported by protocol, session_context, registry and arch_params alike, so none
of those has to import another just for these (the cycles protocol <-> session_context once
had came from exactly that).
"""


def describe_value(value, limit=60):
    """`int 42`, `str 'abc'`: what the client sent, for error messages."""
    kind = type_label(value)
    shown = repr(value)
    if len(shown) > limit:
        shown = shown[: limit - 3] + "..."
    return f"{kind} {shown}" if value is not None else "null"


def type_label(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


def format_number(value):
    """2.4 -> '2.4', 3.0 -> '3', 0.1 + 0.2 -> '0.3': readable in messages and names."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
