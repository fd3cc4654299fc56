"""The update-body entries for file and image fields, exactly as Zoho's seeds show them.

Deleting sends the entry with ``"_delete": null``; attaching sends the id the files API
returned. Entries for files and images that stay are listed by their id, which keeps
them whether the server treats the list as a change list or as the full new list.
"""

from __future__ import annotations

from typing import Any


def file_delete(attachment_id: str) -> dict[str, Any]:
    return {"attachment_id": str(attachment_id), "_delete": None}


def file_attach(file_id: str) -> dict[str, Any]:
    return {"file_id": str(file_id)}


def file_keep(attachment_id: str) -> dict[str, Any]:
    return {"attachment_id": str(attachment_id)}


def image_delete(image_id: str) -> dict[str, Any]:
    return {"id": str(image_id), "_delete": None}


def image_attach(encrypted_id: str) -> dict[str, Any]:
    return {"Encrypted_Id": str(encrypted_id)}


def image_keep(image_id: str) -> dict[str, Any]:
    return {"id": str(image_id)}


def attachment_ids(value: Any, image: bool) -> list[str]:
    """The ids of the files (``attachment_Id``) or images (``id``) in a loaded field value."""
    key = "id" if image else "attachment_Id"
    if not isinstance(value, list):
        return []
    return [str(item[key]) for item in value if isinstance(item, dict) and item.get(key) is not None]


def removal_entries(current: Any, remove: set[str] | None, image: bool) -> list[dict[str, Any]]:
    """Entries that delete ``remove`` (all when None) and keep the rest of ``current``."""
    out = []
    for item_id in attachment_ids(current, image):
        gone = remove is None or item_id in remove
        if image:
            out.append(image_delete(item_id) if gone else image_keep(item_id))
        else:
            out.append(file_delete(item_id) if gone else file_keep(item_id))
    return out
