"""collection.create, collection.link, collection.list."""

import bpy

from .ops_common import already_exists, changed, current_scene, find_collection, find_object, registry
from .registry import BOOLEAN, NAME, Param


@registry.tool(
    "create_collection",
    "Create a collection, under the scene's root collection or a parent.",
    toolset="core",
    output={"name": {"type": "string"}, "parent": {"type": "string"}},
)
@registry.mutating_op(
    "collection.create",
    name=Param(NAME, about="Collection name (must be new)"),
    parent=Param(NAME, None, about="Parent collection (default: the scene's root collection)"),
)
def collection_create(ctx, name, parent):
    """A new collection under `parent` (default: the scene's root collection)."""
    target = find_collection(parent) if parent else current_scene().collection
    if bpy.data.collections.get(name) is not None or name == current_scene().collection.name:
        raise already_exists("collection", name)
    collection = bpy.data.collections.new(name)
    target.children.link(collection)
    return {
        "name": collection.name,
        "parent": target.name,
        "changed": changed(created=[collection.name], modified=[target.name]),
    }


@registry.tool(
    "move_to_collection",
    "Link an object into a collection; with unlink_others, move it there (out of all its other collections).",
    toolset="core",
    idempotent=True,
    output={"object": {"type": "string"}, "collections": {"type": "array", "items": {"type": "string"}}},
)
@registry.mutating_op(
    "collection.link",
    object=Param(NAME, about="Object name"),
    collection=Param(NAME, about="Collection name (the scene's root collection answers to its own name)"),
    unlink_others=Param(BOOLEAN, False, about="Remove it from its other collections"),
)
def collection_link(ctx, object, collection, unlink_others):
    """Link the object into the collection; unlink_others makes it the only one (a move)."""
    obj = find_object(object)
    target = find_collection(collection)
    modified = []
    if obj.name not in target.objects:
        target.objects.link(obj)
        modified.append(target.name)
    if unlink_others:
        for other in list(obj.users_collection):
            if other != target:
                other.objects.unlink(obj)
                modified.append(other.name)
    return {
        "object": obj.name,
        "collections": [c.name for c in obj.users_collection],
        "changed": changed(modified=modified),
    }


@registry.op("collection.list")
def collection_list(ctx):
    """The scene's collection tree, root first, each with its direct objects and children."""
    scene = current_scene()
    listed = []
    seen = set()

    def visit(collection, parent):
        # A collection linked under two parents is listed once, under the first.
        if collection.name in seen:
            return
        seen.add(collection.name)
        listed.append(
            {
                "name": collection.name,
                "parent": parent.name if parent else None,
                "objects": sorted(obj.name for obj in collection.objects),
                "children": [child.name for child in collection.children],
            }
        )
        for child in collection.children:
            visit(child, collection)

    visit(scene.collection, None)
    return {"collections": listed}
