"""parse_feed's text: what feedparser's Windows-1252 repair and the summary's line folding give."""

from monitor.parse import html_to_text, parse_feed


def test_windows_1252_characters_are_repaired_and_others_kept():
    # A feed written by a tool that pasted Windows-1252 punctuation as C1 control characters, beside
    # characters from beyond the repair table (a mathematical letter, a CJK one).
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title>'
        "<item><title>Fuel \u0096 up again \U0001d518 \u4e2d \u00e9t\u00e9</title><link>https://wire.example/1</link>"
        "<description>The minister said \u0093no comment\u0094 twice</description></item></channel></rss>"
    ).encode()
    (entry,) = parse_feed(feed)
    assert entry.title == "Fuel \u2013 up again \U0001d518 \u4e2d \u00e9t\u00e9"
    assert entry.summary == "The minister said \u201cno comment\u201d twice"


def test_summary_lines_fold_spaces_and_tabs_only():
    fragment = "<p>Two  spaces\tand a tab</p>\r\n<p> \u00a0kept\u00a0 non-breaking </p><div></div>"
    assert html_to_text(fragment) == "Two spaces and a tab\nkept\u00a0 non-breaking"
