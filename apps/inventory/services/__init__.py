"""Writes to a group's blocks. Call inside the group's schema (request or tenant_context)."""

from .blocks import (EDITABLE_TERMS, Actor, block_change_record, block_create,
                     block_dates_validate, block_night_window, block_shoulder_nights_add,
                     block_status_change, block_update, nights_between)
from .nights import (CellValues, ReleaseMode, block_night_copy, block_nights_set,
                     block_release, block_room_type_copy)

__all__ = ["EDITABLE_TERMS", "Actor", "CellValues", "ReleaseMode", "block_change_record",
           "block_create", "block_dates_validate", "block_night_copy", "block_night_window",
           "block_nights_set", "block_release", "block_room_type_copy",
           "block_shoulder_nights_add", "block_status_change", "block_update", "nights_between"]
