"""The catalogue as docs/TOOLS.md: one table per toolset, each tool with its parameters."""

from .schema import build_catalogue


def _parameter_line(name, schema, required):
    kind = schema.get("type", "")
    if "enum" in schema:
        kind = " | ".join(f"`{choice}`" for choice in schema["enum"])
    elif kind == "array" and "items" in schema:
        items = schema["items"]
        count = ""
        if schema.get("minItems") is not None and schema.get("minItems") == schema.get("maxItems"):
            count = f"{schema['minItems']} × "
        kind = f"{count}{items.get('type', 'value')}" + (" (" + " | ".join(items["enum"]) + ")" if "enum" in items else "")
    bounds = []
    if "minimum" in schema:
        bounds.append(f"≥ {schema['minimum']}")
    if "maximum" in schema:
        bounds.append(f"≤ {schema['maximum']}")
    if "default" in schema:
        bounds.append(f"default {schema['default']!r}".replace("'", "`"))
    extra = f" ({', '.join(bounds)})" if bounds else ""
    about = schema.get("description", "")
    return f"`{name}`{'' if required else '?'}: {kind}{extra}{' — ' + about if about else ''}"


def tools_markdown(tools):
    catalogue = build_catalogue(tools)
    lines = [
        "# Tools",
        "",
        "Generated from the addon's op registry by `Addon/tools/write_catalogue.py`; do not edit by hand.",
        "`?` marks an optional parameter. Every tool acting in a session also takes `session_id`.",
        "",
        "| Toolset | Tools | What it holds |",
        "|---|---|---|",
    ]
    for toolset in catalogue["toolsets"]:
        lines.append(f"| `{toolset['name']}` | {toolset['tools']} | {toolset['description']} |")
    lines.append("")
    lines.append(f"{len(catalogue['tools'])} tools in all.")
    for toolset in catalogue["toolsets"]:
        lines += ["", f"## {toolset['name']}", "", "| Tool | Does | Parameters | Hints |", "|---|---|---|---|"]
        for tool in catalogue["tools"]:
            if tool["toolset"] != toolset["name"]:
                continue
            schema = tool["inputSchema"]
            required = set(schema["required"])
            parameters = "<br>".join(
                _parameter_line(name, value, name in required)
                for name, value in schema["properties"].items()
                if name != "session_id"
            ) or "–"
            hints = tool["annotations"]
            flags = ", ".join(
                label for key, label in (("readOnlyHint", "read-only"), ("destructiveHint", "destructive"), ("idempotentHint", "idempotent"))
                if hints[key]
            ) or "–"
            description = tool["description"].replace("|", "\\|")
            lines.append(f"| `{tool['name']}` | {description} | {parameters.replace('|', chr(92) + '|')} | {flags} |")
    return "\n".join(lines) + "\n"
