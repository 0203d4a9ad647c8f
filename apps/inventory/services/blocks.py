"""Writes to a block's own terms: create, edit, shoulder nights, and the audit trail."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from apps.core.exceptions import ValidationFailed
from apps.hotels.models import Hotel

from ..locks import block_lock, block_nights_lock
from ..models import BlockChange, BlockNight, RoomBlock

# Terms a planner may edit after creation. The stay (arrival, departure, hotel) is fixed
# once nights exist; shoulder nights grow through block_shoulder_nights_add; the status
# moves only forward, through block_status_change.
EDITABLE_TERMS = ("name", "cutoff_date", "attrition_percent", "attrition_mode",
                  "damages_percent", "comp_per_paid_nights", "payment_mode",
                  "deposit_policy", "cancellation_policy", "free_cancellation_days",
                  "hold_minutes")


@dataclass(frozen=True)
class Actor:
    """Who makes a change, for the audit trail."""

    user_id: int | None = None
    name: str = "system"

    @classmethod
    def of(cls, user) -> "Actor":
        if user is None or not user.is_authenticated:
            return cls()
        return cls(user_id=user.pk, name=user.get_username())


def nights_between(first: date, last: date):
    night = first
    while night <= last:
        yield night
        night += timedelta(days=1)


def block_night_window(block: RoomBlock) -> tuple[date, date]:
    """First and last night a block may hold: the contracted stay plus shoulder nights."""
    return (block.arrival - timedelta(days=block.shoulder_nights_before),
            block.departure - timedelta(days=1) + timedelta(days=block.shoulder_nights_after))


def block_change_record(*, block: RoomBlock, actor: Actor, action: str, summary: str,
                        before: dict | None = None, after: dict | None = None) -> BlockChange:
    return BlockChange.objects.create(block=block, user_id=actor.user_id, user_name=actor.name,
                                      action=action, summary=summary[:300],
                                      before=before or {}, after=after or {})


def block_dates_validate(*, arrival: date, departure: date, cutoff_date: date) -> None:
    if departure <= arrival:
        raise ValidationFailed("Departure must be after arrival.", code="validation_error",
                               extra={"fields": {"departure": ["Must be after arrival."]}})
    if cutoff_date > arrival:
        raise ValidationFailed("The cutoff date must be on or before arrival.",
                               code="validation_error",
                               extra={"fields": {"cutoff_date": ["Must not be after arrival."]}})


def block_create(*, hotel: Hotel, name: str, arrival: date, departure: date,
                 cutoff_date: date, actor: Actor = Actor(), **terms) -> RoomBlock:
    block_dates_validate(arrival=arrival, departure=departure, cutoff_date=cutoff_date)
    with transaction.atomic():
        block = RoomBlock.objects.create(hotel=hotel, name=name, arrival=arrival,
                                         departure=departure, cutoff_date=cutoff_date, **terms)
        block_change_record(block=block, actor=actor, action="create",
                            summary=f"Created block {name}",
                            after={"arrival": str(arrival), "departure": str(departure),
                                   "cutoff_date": str(cutoff_date)})
    return block


def block_update(*, block: RoomBlock, actor: Actor = Actor(), **terms) -> RoomBlock:
    """Change a block's contract terms; records each changed term before and after."""
    unknown = set(terms) - set(EDITABLE_TERMS)
    if unknown:
        raise ValidationFailed(f"These cannot be changed here: {', '.join(sorted(unknown))}.",
                               code="term_not_editable", extra={"fields": sorted(unknown)})
    with transaction.atomic():
        locked = block_lock(block_id=block.pk)
        block_dates_validate(arrival=locked.arrival, departure=locked.departure,
                             cutoff_date=terms.get("cutoff_date", locked.cutoff_date))
        before, after = {}, {}
        for name, value in terms.items():
            if getattr(locked, name) != value:
                before[name] = str(getattr(locked, name))
                after[name] = str(value)
                setattr(locked, name, value)
        if after:
            locked.full_clean(exclude=["hotel"])
            locked.save()
            block_change_record(block=locked, actor=actor, action="update_terms",
                                summary="Changed " + ", ".join(after), before=before,
                                after=after)
    return locked


def block_shoulder_nights_add(*, block: RoomBlock, nights_before: int = 0,
                              nights_after: int = 0, allotment: int | None = None,
                              actor: Actor = Actor()) -> list[BlockNight]:
    """Extend the block by shoulder nights before arrival and/or after departure.

    Each room type already in the block gets the new nights at the rates of its nearest
    existing night; the allotment is `allotment` if given, else that night's allotment.
    """
    if nights_before < 0 or nights_after < 0 or nights_before + nights_after == 0:
        raise ValidationFailed("Add at least one shoulder night.", code="validation_error")
    if allotment is not None and allotment < 0:
        raise ValidationFailed("The allotment cannot be negative.", code="validation_error")
    with transaction.atomic():
        locked = block_lock(block_id=block.pk)
        old_first, old_last = block_night_window(locked)
        rows = block_nights_lock(block=locked)
        edges: dict[int, tuple[BlockNight, BlockNight]] = {}
        for row in rows:
            first, last = edges.get(row.room_type_id, (row, row))
            edges[row.room_type_id] = (min(first, row, key=lambda r: r.night),
                                       max(last, row, key=lambda r: r.night))
        new_nights = ([(old_first - timedelta(days=n), 0) for n in range(1, nights_before + 1)]
                      + [(old_last + timedelta(days=n), 1) for n in range(1, nights_after + 1)])
        created = []
        for night, side in new_nights:
            for edge_pair in edges.values():
                edge = edge_pair[side]
                created.append(BlockNight(
                    block=locked, room_type_id=edge.room_type_id, night=night,
                    allotment=edge.allotment if allotment is None else allotment,
                    net_rate_minor=edge.net_rate_minor, sell_rate_minor=edge.sell_rate_minor,
                    is_shoulder=True))
        BlockNight.objects.bulk_create(created)
        before = {"shoulder_nights_before": locked.shoulder_nights_before,
                  "shoulder_nights_after": locked.shoulder_nights_after}
        locked.shoulder_nights_before += nights_before
        locked.shoulder_nights_after += nights_after
        locked.save(update_fields=["shoulder_nights_before", "shoulder_nights_after",
                                   "updated_at"])
        block_change_record(
            block=locked, actor=actor, action="add_shoulder",
            summary=f"Added {nights_before} shoulder night(s) before, {nights_after} after",
            before=before,
            after={"shoulder_nights_before": locked.shoulder_nights_before,
                   "shoulder_nights_after": locked.shoulder_nights_after,
                   "nights_created": sorted({str(row.night) for row in created})})
    block.refresh_from_db()
    return created


# Where a block may go from each status. Guests book only tentative and definite blocks.
STATUS_MOVES = {
    RoomBlock.Status.TENTATIVE: (RoomBlock.Status.DEFINITE, RoomBlock.Status.RELEASED),
    RoomBlock.Status.DEFINITE: (RoomBlock.Status.RELEASED, RoomBlock.Status.CLOSED),
    RoomBlock.Status.RELEASED: (RoomBlock.Status.CLOSED,),
    RoomBlock.Status.CLOSED: (),
}


def block_status_change(*, block: RoomBlock, status: str, actor: Actor = Actor(),
                        note: str = "") -> RoomBlock:
    """Move a block to `status` (signed, released to the hotel, closed), audited.

    Only forward moves are allowed (STATUS_MOVES). Bookings already made stay as they
    are; a released or closed block takes no new holds.
    """
    with transaction.atomic():
        locked = block_lock(block_id=block.pk)
        if status == locked.status:
            return locked
        if status not in STATUS_MOVES.get(locked.status, ()):
            allowed = ", ".join(RoomBlock.Status(s).label for s in STATUS_MOVES[locked.status])
            raise ValidationFailed(
                f"A {locked.get_status_display().lower()} block cannot become "
                f"{RoomBlock.Status(status).label.lower()}"
                + (f"; it can become: {allowed}." if allowed else "; it is final."),
                code="status_move_not_allowed",
                extra={"from": locked.status, "to": status})
        before = locked.status
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        block_change_record(block=locked, actor=actor, action="status",
                            summary=f"{RoomBlock.Status(before).label} → "
                                    f"{locked.get_status_display()}"
                                    + (f": {note}" if note else ""),
                            before={"status": before}, after={"status": status})
    return locked
