"""Every op result a test receives is checked against its tool's declared output schema.

The catalogue's outputSchema is what a client validates `structuredContent` against (the
official Python client refuses a result that breaks it), so a field declared "integer" that
comes back 2.5 must fail here, in the test that produced it, not in a user's client.
"""

import json
from pathlib import Path

import jsonschema

CATALOGUE = Path(__file__).resolve().parents[2] / "Services" / "mcp-front" / "Core" / "Tools" / "catalogue.json"


def _schemas():
    try:
        catalogue = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {tool["runs"]: tool["outputSchema"] for tool in catalogue["tools"] if "outputSchema" in tool}


SCHEMAS = _schemas()


def check_result(op, result):
    """Raise AssertionError naming the op, the field and the rule a result breaks."""
    schema = SCHEMAS.get(op)
    if schema is None:
        return
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(result), key=lambda error: list(error.path))
    if errors:
        error = errors[0]
        where = "/".join(str(part) for part in error.path) or "(the result)"
        raise AssertionError(f"{op}: result breaks its tool's outputSchema at {where}: {error.message}")
