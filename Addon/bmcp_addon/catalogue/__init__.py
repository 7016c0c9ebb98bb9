"""The tool catalogue: every MCP tool, written from the op registry's declarations.

mcp-front builds its tools from the generated file (Services/mcp-front/Core/Tools/catalogue.json)
and docs/TOOLS.md is the same catalogue for people; `Addon/tools/write_catalogue.py` writes both
from a real Blender and the addon suite fails if either differs from what this code makes.
"""

from .schema import build_catalogue, catalogue_json  # noqa: F401
from .markdown import tools_markdown  # noqa: F401
