"""Writes to a block's night grid: set a range, copy a pattern, release rooms.

Every write locks the night rows it touches (apps.inventory.locks, order night then room
type), refuses the whole change if any cell would fall below the rooms already held or
booked, and records one BlockChange with each cell's state before and after.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from apps.core.exceptions import ValidationFailed
from apps.hotels.models import RoomType

from ..locks import block_nights_lock
from ..models import BlockNight, RoomBlock
from .blocks import Actor, block_change_record, block_night_window, nights_between

RATE_FIELDS = ("net_rate_minor", "sell_rate_minor")


@dataclass(frozen=True)
class CellValues:
    """New values for one (night, room type) cell; None leaves that value as it is."""

    allotment: int | None = None
    net_rate_minor: int | None = None
    sell_rate_minor: int | None = None


def _cell_key(night: date, room_type: RoomType) -> str:
    return f"{night} {room_type.code}"


def _cell_state(row: BlockNight) -> dict:
    return {"allotment": row.allotment, "net_rate_minor": row.net_rate_minor,
            "sell_rate_minor": row.sell_rate_minor}


def _check_room_types(block: RoomBlock, room_types) -> None:
    for room_type in room_types:
        if room_type.hotel_id != block.hotel_id:
            raise ValidationFailed(f"{room_type.name} is not a room type of {block.hotel.name}.",
                                   code="room_type_not_at_hotel")


def _check_window(block: RoomBlock, nights) -> None:
    first_allowed, last_allowed = block_night_window(block)
    if nights and (min(nights) < first_allowed or max(nights) > last_allowed):
        raise ValidationFailed(
            f"Nights must fall between {first_allowed} and {last_allowed} (the contracted "
            f"stay plus shoulder nights). Add shoulder nights to the block first.",
            code="night_outside_block")


def _refuse_below_taken(too_low: list[tuple[BlockNight, int]]) -> None:
    if too_low:
        names = [f"{row.night} {row.room_type.name} (new {new}, taken "
                 f"{row.held + row.booked})" for row, new in too_low]
        raise ValidationFailed(
            "That would leave fewer rooms than are already held or booked on: "
            + "; ".join(names) + ".",
            code="allotment_below_sold",
            extra={"nights": sorted({str(row.night) for row, _ in too_low})})


def _cells_apply(*, block: RoomBlock, cells: dict[tuple[date, RoomType], CellValues],
                 actor: Actor, action: str, summary: str) -> list[BlockNight]:
    """Write many cells in one transaction; creates missing rows (they need rates)."""
    if not cells:
        raise ValidationFailed("There is nothing to change.", code="nothing_to_change")
    room_types = {room_type.pk: room_type for _, room_type in cells}
    _check_room_types(block, room_types.values())
    nights = [night for night, _ in cells]
    _check_window(block, nights)
    with transaction.atomic():
        locked = {(row.night, row.room_type_id): row for row in block_nights_lock(
            block=block, first_night=min(nights), last_night=max(nights),
            room_type_ids=list(room_types))}
        too_low, before, after, rows = [], {}, {}, []
        for (night, room_type), values in sorted(cells.items(),
                                                 key=lambda item: (item[0][0], item[0][1].pk)):
            row = locked.get((night, room_type.pk))
            if row is None:
                if None in (values.allotment, values.net_rate_minor, values.sell_rate_minor):
                    raise ValidationFailed(
                        f"{room_type.name} has no row on {night} yet; give it an allotment "
                        f"and rates.", code="night_missing")
                row = BlockNight(block=block, room_type=room_type, night=night)
            else:
                before[_cell_key(night, room_type)] = _cell_state(row)
            for name in ("allotment", *RATE_FIELDS):
                value = getattr(values, name)
                if value is not None:
                    setattr(row, name, value)
            if row.sell_rate_minor < row.net_rate_minor:
                raise ValidationFailed(
                    f"The sell rate cannot be below the hotel's net rate ({room_type.name}, "
                    f"{night}).", code="sell_below_net")
            if row.pk and row.allotment < row.held + row.booked:
                too_low.append((row, row.allotment))
            row.is_shoulder = not (block.arrival <= night < block.departure)
            after[_cell_key(night, room_type)] = _cell_state(row)
            rows.append(row)
        _refuse_below_taken(too_low)
        for row in rows:
            row.save()
        block_change_record(block=block, actor=actor, action=action, summary=summary,
                            before=before, after=after)
    return rows


def block_nights_set(*, block: RoomBlock, room_type: RoomType, first_night: date,
                     last_night: date, allotment: int, net_rate_minor: int,
                     sell_rate_minor: int, actor: Actor = Actor()) -> list[BlockNight]:
    """Set allotment and rates for every night in [first_night, last_night] at once.

    Nights outside the contracted stay are allowed only as shoulder nights. Lowering an
    allotment below what is already held or booked is refused for the whole range.
    """
    if last_night < first_night:
        raise ValidationFailed("The last night is before the first night.",
                               code="validation_error")
    if sell_rate_minor < net_rate_minor:
        raise ValidationFailed("The sell rate cannot be below the hotel's net rate.",
                               code="sell_below_net")
    _check_window(block, [first_night, last_night])  # before walking the nights between
    values = CellValues(allotment=allotment, net_rate_minor=net_rate_minor,
                        sell_rate_minor=sell_rate_minor)
    cells = {(night, room_type): values for night in nights_between(first_night, last_night)}
    return _cells_apply(block=block, cells=cells, actor=actor, action="set_nights",
                        summary=f"{room_type.name}: {allotment} rooms "
                                f"{first_night}–{last_night}")


def _copied(row: BlockNight, *, allotment: bool, rates: bool) -> CellValues:
    return CellValues(allotment=row.allotment if allotment else None,
                      net_rate_minor=row.net_rate_minor if rates else None,
                      sell_rate_minor=row.sell_rate_minor if rates else None)


def _fill_missing(cells, source_rows: dict, target_rows: set):
    """A target cell with no row yet takes every value from its source."""
    for key, source in source_rows.items():
        if key not in target_rows:
            cells[key] = _copied(source, allotment=True, rates=True)


def block_room_type_copy(*, block: RoomBlock, source: RoomType, targets: list[RoomType],
                         allotment: bool = True, rates: bool = True,
                         actor: Actor = Actor()) -> list[BlockNight]:
    """Copy one room type's nights (allotment and/or rates) onto other room types."""
    targets = [room_type for room_type in targets if room_type.pk != source.pk]
    if not targets or not (allotment or rates):
        raise ValidationFailed("Choose other room types and what to copy.",
                               code="nothing_to_change")
    _check_room_types(block, [source, *targets])
    source_rows = list(BlockNight.objects.filter(block=block, room_type=source))
    if not source_rows:
        raise ValidationFailed(f"{source.name} has no nights to copy.", code="night_missing")
    existing = set(BlockNight.objects.filter(block=block, room_type__in=targets)
                   .values_list("night", "room_type_id"))
    cells = {}
    for row in source_rows:
        for target in targets:
            full = (row.night, target.pk) not in existing
            cells[(row.night, target)] = _copied(row, allotment=allotment or full,
                                                 rates=rates or full)
    names = ", ".join(target.name for target in targets)
    return _cells_apply(block=block, cells=cells, actor=actor, action="copy_room_type",
                        summary=f"Copied {source.name} onto {names}")


def block_night_copy(*, block: RoomBlock, source_night: date, first_night: date,
                     last_night: date, allotment: bool = True, rates: bool = True,
                     actor: Actor = Actor()) -> list[BlockNight]:
    """Copy one night's row of every room type onto each night of a date range."""
    if last_night < first_night or not (allotment or rates):
        raise ValidationFailed("Choose a date range and what to copy.",
                               code="nothing_to_change")
    source_rows = list(BlockNight.objects.filter(block=block, night=source_night)
                       .select_related("room_type"))
    if not source_rows:
        raise ValidationFailed(f"The block has no rooms on {source_night} to copy.",
                               code="night_missing")
    targets = [night for night in nights_between(first_night, last_night)
               if night != source_night]
    existing = set(BlockNight.objects.filter(block=block, night__in=targets)
                   .values_list("night", "room_type_id"))
    cells = {}
    for night in targets:
        for row in source_rows:
            full = (night, row.room_type_id) not in existing
            cells[(night, row.room_type)] = _copied(row, allotment=allotment or full,
                                                    rates=rates or full)
    return _cells_apply(block=block, cells=cells, actor=actor, action="copy_night",
                        summary=f"Copied {source_night} onto {first_night}–{last_night}")


class ReleaseMode:
    TO = "to"   # leave at most `rooms` per night
    BY = "by"   # take `rooms` away from each night


def block_release(*, block: RoomBlock, first_night: date, last_night: date, rooms: int,
                  mode: str, room_type: RoomType | None = None,
                  actor: Actor = Actor()) -> list[BlockNight]:
    """Give rooms back to the hotel over a date range (one room type, or all of them).

    `mode` "to": each night keeps at most `rooms`; "by": each night loses `rooms`.
    Refused as a whole, naming the nights, if any night would keep fewer rooms than are
    already held or booked. Returns the rows whose allotment changed.
    """
    if mode not in (ReleaseMode.TO, ReleaseMode.BY):
        raise ValidationFailed("Release either to or by a number of rooms.",
                               code="validation_error")
    if rooms < 0 or (mode == ReleaseMode.BY and rooms == 0):
        raise ValidationFailed("Give a positive number of rooms.", code="validation_error")
    if last_night < first_night:
        raise ValidationFailed("The last night is before the first night.",
                               code="validation_error")
    if room_type is not None:
        _check_room_types(block, [room_type])
    with transaction.atomic():
        rows = block_nights_lock(block=block, first_night=first_night, last_night=last_night,
                                 room_type_ids=None if room_type is None else [room_type.pk])
        new = {row.pk: (min(row.allotment, rooms) if mode == ReleaseMode.TO
                        else row.allotment - rooms) for row in rows}
        _refuse_below_taken([(row, new[row.pk]) for row in rows
                             if new[row.pk] < row.held + row.booked])
        changed = [row for row in rows if new[row.pk] != row.allotment]
        if not changed:
            raise ValidationFailed("No night in that range has rooms to release.",
                                   code="nothing_to_release")
        before = {_cell_key(row.night, row.room_type): {"allotment": row.allotment}
                  for row in changed}
        for row in changed:
            row.allotment = new[row.pk]
            row.save(update_fields=["allotment"])
        released = sum(before[_cell_key(r.night, r.room_type)]["allotment"] - r.allotment
                       for r in changed)
        which = room_type.name if room_type else "all room types"
        block_change_record(
            block=block, actor=actor, action="release",
            summary=f"Released {released} room night(s) of {which}, {first_night}–"
                    f"{last_night} ({mode} {rooms} per night)",
            before=before,
            after={_cell_key(row.night, row.room_type): {"allotment": row.allotment}
                   for row in changed})
    return changed
