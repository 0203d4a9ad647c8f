"""The pickup chart, drawn on the server as SVG geometry (the template writes the tags).

One bar per night, as tall as that night's allotment on a common scale, stacked from the
bottom: booked, held, still available. A dashed tick marks the rooms the group must sell
on that night to stay inside its attrition allowance.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from .selectors import BlockPickup

BAR_WIDTH = 26
GAP = 8
PLOT_HEIGHT = 160
TOP = 18       # room for the count above the tallest bar
BOTTOM = 34    # room for the date labels
LEFT = 36      # room for the scale


@dataclass(frozen=True)
class Segment:
    kind: str      # booked | held | available
    y: float
    height: float
    rooms: int


@dataclass(frozen=True)
class Bar:
    x: float
    label_x: float
    day: str
    month: str
    title: str
    top_y: float
    count: str
    segments: list[Segment]
    required_y: float | None
    is_shoulder: bool


@dataclass(frozen=True)
class Tick:
    y: float
    rooms: int


@dataclass(frozen=True)
class PickupChart:
    width: int
    height: int
    plot_bottom: float
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    bar_width: int = BAR_WIDTH


def pickup_chart(pickup: BlockPickup) -> PickupChart | None:
    """Geometry for the block's pickup chart; None when the block has no nights yet."""
    if not pickup.nights:
        return None
    scale_top = max(max(night.allotment for night in pickup.nights), 1)
    bottom = TOP + PLOT_HEIGHT
    per_room = PLOT_HEIGHT / scale_top
    keep = (Decimal(100) - pickup.block.attrition_percent) / 100
    bars = []
    for index, night in enumerate(pickup.nights):
        x = LEFT + GAP + index * (BAR_WIDTH + GAP)
        y = bottom
        segments = []
        for kind, rooms in (("booked", night.booked), ("held", night.held),
                            ("available", night.available)):
            height = rooms * per_room
            y -= height
            segments.append(Segment(kind=kind, y=round(y, 1), height=round(height, 1),
                                    rooms=rooms))
        required = None
        if not night.is_shoulder and night.allotment:
            required = round(bottom - float(night.allotment * keep) * per_room, 1)
        bars.append(Bar(
            x=x, label_x=x + BAR_WIDTH / 2, day=f"{night.night:%d}", month=f"{night.night:%b}",
            title=(f"{night.night:%a %d %b}: {night.booked} booked, {night.held} held, "
                   f"{night.available} available of {night.allotment}"),
            top_y=round(bottom - night.allotment * per_room - 4, 1),
            count=f"{night.booked}/{night.allotment}", segments=segments, required_y=required,
            is_shoulder=night.is_shoulder))
    ticks = [Tick(y=round(bottom - rooms * per_room, 1), rooms=rooms)
             for rooms in sorted({0, scale_top // 2, scale_top})]
    width = LEFT + GAP + len(bars) * (BAR_WIDTH + GAP)
    return PickupChart(width=width, height=bottom + BOTTOM, plot_bottom=bottom, bars=bars,
                       ticks=ticks)
