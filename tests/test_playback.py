"""The year player, without Streamlit: pace, end of the slider, pause."""

from dashboard.playback import pause, start, step


def test_start_from_the_shown_year_or_from_the_beginning_at_the_end():
    assert start(2015, 1991, 2025, now=0.0).year == 2015
    assert start(2025, 1991, 2025, now=0.0).year == 1991
    assert start(1980, 1991, 2025, now=0.0).year == 1991


def test_one_year_per_interval_never_more_per_step():
    player = start(2015, 1991, 2025, now=100.0)
    assert step(player, now=100.5, interval=1.0, last_year=2025) == player
    player = step(player, now=100.95, interval=1.0, last_year=2025)  # a timer firing a little early
    assert player.year == 2016
    # A browser that was busy for ten seconds gets the next year, not a jump of ten.
    player = step(player, now=110.95, interval=1.0, last_year=2025)
    assert player.year == 2017 and player.playing


def test_stops_on_the_last_year():
    player = start(2024, 1991, 2025, now=0.0)
    player = step(player, now=1.0, interval=1.0, last_year=2025)
    assert (player.year, player.playing) == (2025, True)
    player = step(player, now=2.0, interval=1.0, last_year=2025)
    assert (player.year, player.playing) == (2025, False)


def test_a_paused_player_does_not_move():
    player = pause(start(2000, 1991, 2025, now=0.0), shown_year=2000)
    assert step(player, now=50.0, interval=0.5, last_year=2025).year == 2000


def test_pause_keeps_the_year_on_screen_when_the_browser_lags_behind():
    player = step(start(2015, 1991, 2025, now=0.0), now=1.0, interval=1.0, last_year=2025)
    assert player.year == 2016  # the browser has not drawn 2016 yet
    assert pause(player, shown_year=2015).year == 2015
