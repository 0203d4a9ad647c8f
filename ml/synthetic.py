"""Synthetic wedding and MICE bookings with a known generative story. Seeded: the same
seed and size give the same rows, byte for byte.

The story, one booking at a time:

1. **The event.** Each booking belongs to an event drawn from weddings (45%), conferences
   (25%), incentive trips (10%), meetings (8%), exhibitions (8%) and sports teams (4%),
   held on a date spread over two years. The event fixes the block's terms: the deposit
   asked (pay at the hotel, a refundable deposit, or full prepayment; companies and
   incentive trips prepay more often), free cancellation until 7, 14 or 30 days before
   arrival, a cutoff 21-45 days before arrival, and the block rate against the hotel's
   public rate (usually 5-20% below it; a few blocks are priced above a falling market).
2. **The guest's tie to the event.** Core (the couple's family, a speaker, the organiser),
   close (a friend, a registered delegate) or loose (a plus-one, an exhibitor's visitor,
   a "maybe"). Loose ties cancel much more; core ties almost never. A third of guests
   never tell us, so the tie is unknown (missing) for them.
3. **Travel.** Home-to-event distance is log-normal (median ~300 km, a long tail of
   flights); guests from abroad travel further. Long trips cancel more (visas, flights,
   cost), unless the guest is core. Unknown for a quarter of guests.
4. **When they book.** Lead time is gamma-distributed: wedding guests book early (save
   the date, mean ~110 days), conference delegates later (~55 days), teams and meetings
   late (~25 days). The longer the lead, the more can change: risk rises with log lead
   time. Booking after the cutoff (at the hotel's mercy, usually close to the date) is
   firm: low risk.
5. **Money.** A rate above the public rate invites re-booking elsewhere (risk up); a deep
   discount keeps guests. Prepayment cuts cancellations sharply, a refundable deposit a
   little. A company paying (incentive trips, meetings) lowers risk.
6. **The guest's history.** Repeat guests (6%) rarely cancel; earlier cancellations
   (Poisson, mean 0.1) predict more. Special requests (0-3) are a sign of commitment.
   Travel agents' bookings (channel "agent") cancel more than direct microsite ones.
7. **The outcome.** The effects above add up on the log-odds scale, with the event
   kind's own base rate and some noise per event (planners differ), and a Bernoulli draw
   gives "cancelled". The resulting rates are about 15-20% for weddings, 25-30% for
   conferences and exhibitions, ~10% for incentive trips: in line with what hotels
   report for group business.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from .dataset import Dataset

KINDS = ("wedding", "conference", "incentive", "meeting", "exhibition", "sports")
KIND_SHARE = (0.45, 0.25, 0.10, 0.08, 0.08, 0.04)
KIND_BASE_LOGIT = {"wedding": -2.05, "conference": -1.3, "incentive": -1.85,
                   "meeting": -1.35, "exhibition": -1.25, "sports": -1.45}
KIND_LEAD_MEAN = {"wedding": 110, "conference": 55, "incentive": 70, "meeting": 25,
                  "exhibition": 45, "sports": 25}
TIE_SHARE = {"wedding": (0.30, 0.45, 0.25), "conference": (0.10, 0.55, 0.35),
             "incentive": (0.15, 0.70, 0.15), "meeting": (0.20, 0.60, 0.20),
             "exhibition": (0.10, 0.40, 0.50), "sports": (0.40, 0.50, 0.10)}
START = date(2024, 1, 1)


def generate(rows: int = 20_000, *, seed: int = 7, events: int | None = None) -> Dataset:
    rng = np.random.default_rng(seed)
    n_events = events or max(20, rows // 60)
    # 1. events and their terms
    ev_kind = rng.choice(len(KINDS), size=n_events, p=KIND_SHARE)
    ev_day = rng.integers(0, 730, size=n_events)
    company_pays = np.isin(ev_kind, [KINDS.index("incentive"), KINDS.index("meeting")])
    ev_deposit = np.where(company_pays, rng.choice(3, size=n_events, p=(0.3, 0.2, 0.5)),
                          rng.choice(3, size=n_events, p=(0.55, 0.3, 0.15)))
    ev_free_cancel = rng.choice([7, 14, 30], size=n_events, p=(0.3, 0.5, 0.2))
    ev_cutoff = rng.integers(21, 46, size=n_events)
    ev_rate_ratio = np.clip(rng.normal(0.88, 0.08, size=n_events), 0.6, 1.3)
    ev_rate_ratio[rng.random(n_events) < 0.08] += 0.25   # priced above a falling market
    ev_noise = rng.normal(0, 0.3, size=n_events)

    e = rng.integers(0, n_events, size=rows)
    kind = ev_kind[e]
    kind_name = np.array(KINDS)[kind]
    # 2. tie to the event
    u = rng.random(rows)
    shares = np.array([TIE_SHARE[k] for k in KINDS])[kind]
    tie = (u > shares[:, 0]).astype(int) + (u > shares[:, 0] + shares[:, 1]).astype(int)
    # 3. travel
    foreign = rng.random(rows) < np.where(kind_name == "wedding", 0.25, 0.35)
    km = np.exp(rng.normal(np.log(250), 0.9, size=rows)) * np.where(foreign, 6, 1)
    # 4. lead time
    lead_mean = np.array([KIND_LEAD_MEAN[k] for k in KINDS])[kind]
    lead = np.minimum(np.round(rng.gamma(2.0, lead_mean / 2.0)), 420).astype(int)
    days_to_cutoff = lead - ev_cutoff[e]
    nights = np.clip(rng.poisson(np.where(kind_name == "wedding", 1.2, 1.8)) + 1, 1, 7)
    arrival_day = ev_day[e] - rng.integers(0, 2, size=rows)   # a shoulder night for some
    arrival_dates = [START + timedelta(days=int(d)) for d in arrival_day]
    weekday = np.array([d.weekday() for d in arrival_dates])
    weekend = np.array([_weekend_nights(wd, n) for wd, n in zip(weekday, nights)])
    rooms = np.where(rng.random(rows) < 0.12, rng.integers(2, 4, size=rows), 1)
    adults = np.where(rng.random(rows) < 0.55, 2, 1)
    children = np.where((kind_name == "wedding") & (rng.random(rows) < 0.2),
                        rng.integers(1, 3, size=rows), 0)
    # 5. money
    rate_ratio = np.clip(ev_rate_ratio[e] + rng.normal(0, 0.03, size=rows), 0.5, 1.6)
    deposit = ev_deposit[e]
    has_company = (company_pays[e] & (rng.random(rows) < 0.8)).astype(int)
    # 6. history and channel
    repeat = (rng.random(rows) < 0.06).astype(int)
    prev_cancel = rng.poisson(0.1, size=rows)
    prev_stays = np.where(repeat == 1, rng.integers(1, 5, size=rows), 0)
    requests = rng.choice(4, size=rows, p=(0.55, 0.28, 0.12, 0.05))
    channel = np.where(rng.random(rows) < np.where(company_pays[e], 0.35, 0.12), "agent",
                       "direct")
    channel = np.where(has_company == 1, np.where(rng.random(rows) < 0.5, "corporate",
                                                  channel), channel)
    # 7. the outcome
    logit = (np.array([KIND_BASE_LOGIT[k] for k in KINDS])[kind] + ev_noise[e]
             + np.array([-1.3, 0.0, 0.95])[tie]
             + np.where(tie == 0, 0.0, 0.28 * np.log(km / 250.0))
             + 0.55 * np.log1p(lead / 30.0) - 0.6
             - 0.7 * (days_to_cutoff < 0)
             + 2.2 * (rate_ratio - 0.88)
             + np.array([0.35, -0.05, -1.1])[deposit]
             + 0.02 * (ev_free_cancel[e] - 14)
             - 0.45 * has_company
             - 0.9 * repeat + 0.7 * np.minimum(prev_cancel, 3)
             - 0.3 * requests
             + 0.45 * (channel == "agent")
             + 0.25 * (rooms > 1) + 0.15 * (nights >= 4)
             + 0.35 * ((tie == 2) & (lead > 120)))
    probability = 1.0 / (1.0 + np.exp(-logit))
    cancelled = (rng.random(rows) < probability).astype(np.int8)

    # what the platform would not know: a third never state their tie, a quarter no home
    tie_known = rng.random(rows) >= 0.33
    km_known = rng.random(rows) >= 0.25
    records = []
    for i in range(rows):
        d = arrival_dates[i]
        records.append({
            "lead_time_days": int(lead[i]), "nights": int(nights[i]),
            "weekend_nights": int(weekend[i]), "rooms": int(rooms[i]),
            "adults": int(adults[i]), "children": int(children[i]),
            "rate_ratio": float(rate_ratio[i]), "deposit_level": int(deposit[i]),
            "free_cancel_days": int(ev_free_cancel[e[i]]),
            "days_to_cutoff": int(days_to_cutoff[i]),
            "previous_cancellations": int(prev_cancel[i]), "previous_stays": int(prev_stays[i]),
            "repeat_guest": int(repeat[i]), "special_requests": int(requests[i]),
            "foreign_guest": int(foreign[i]),
            "travel_km": float(km[i]) if km_known[i] else None,
            "tie_to_event": int(tie[i]) if tie_known[i] else None,
            "has_agent": int(channel[i] == "agent"), "has_company": int(has_company[i]),
            "arrival_month": d.month, "arrival_week": d.isocalendar()[1],
            "arrival_weekday": d.weekday(),
            "channel": str(channel[i]), "event_kind": str(kind_name[i]),
        })
    return Dataset(source="synthetic", records=records, cancelled=cancelled,
                   arrival=np.array([d.toordinal() for d in arrival_dates]),
                   segment=[str(k) for k in kind_name], truth=probability,
                   notes=[f"synthetic: {rows} bookings in {n_events} events, seed {seed}"])


def _weekend_nights(weekday: int, nights: int) -> int:
    """Friday and Saturday nights in a stay starting on `weekday` (0 Monday)."""
    return sum(1 for k in range(nights) if (weekday + k) % 7 in (4, 5))
