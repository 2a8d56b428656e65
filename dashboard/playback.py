"""The year player: a small state machine kept apart from Streamlit so it can be tested.

While playing, the player's own year is the truth. The browser reports the slider's value
with every request, and a browser still drawing the previous year reports a stale one;
trusting it made playback repeat or rewind years on slow machines.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Player:
    playing: bool
    year: int
    last_step: float  # monotonic seconds of the last step (or of the start)


def start(year: int, first_year: int, last_year: int, now: float) -> Player:
    """Start from the shown year; from the end of the slider, start again at its beginning."""
    begin = first_year if year >= last_year else max(year, first_year)
    return Player(playing=True, year=begin, last_step=now)


def pause(player: Player, shown_year: int) -> Player:
    """Stop on the year the person sees. A slow browser may still be drawing the year
    before the player's; pausing there keeps what they paused on."""
    return replace(player, playing=False, year=shown_year)


# A timer set to the interval may fire a little early; that tick still counts.
EARLY_TICK = 0.1


def step(player: Player, now: float, interval: float, last_year: int) -> Player:
    """At most one year per call and per interval: a slow browser slows playback, never skips a year."""
    if not player.playing or now - player.last_step < interval * (1 - EARLY_TICK):
        return player
    if player.year >= last_year:
        return replace(player, playing=False, last_step=now)
    return replace(player, year=player.year + 1, last_step=now)
