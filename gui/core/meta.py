"""Metadata of an org, as the editor uses it: modules, fields, users."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class PicklistOption:
    display: str
    actual: str


@dataclass(frozen=True)
class FieldMeta:
    api_name: str
    label: str
    data_type: str
    json_type: str | None = None
    read_only: bool = False
    mandatory: bool = False
    length: int | None = None
    unique: bool = False
    mass_update: bool = True
    picklist: tuple[PicklistOption, ...] = ()
    lookup_module: str | None = None
    custom: bool = False

    @cached_property  # asked once per cell of a 100,000-cell paste
    def editable(self) -> bool:
        return not self.read_only and self.data_type not in ("autonumber", "formula")


@dataclass(frozen=True)
class ModuleMeta:
    api_name: str
    singular_label: str
    plural_label: str
    editable: bool = True
    api_supported: bool = True


@dataclass(frozen=True)
class User:
    user_id: str
    full_name: str
    email: str
    active: bool = True
