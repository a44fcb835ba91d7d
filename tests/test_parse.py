"""parse_feed's text: what feedparser's Windows-1252 repair and the summary's line folding give."""

import io
import xml.sax
from xml.sax.handler import ContentHandler

from monitor.parse import _feedparser, html_to_text, parse_feed


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


def test_escaped_html_reads_whole_across_many_entity_references():
    # Escaped markup puts an entity reference every few words; the text between them is handed over
    # buffered, in runs longer than expat's buffer here, and must come out whole and in order.
    paragraphs = [f"Paragraph {n} says &amp; repeats \u201cquote {n}\u201d " + "word " * 40 for n in range(120)]
    escaped = "".join(f"&lt;p&gt;{p}&lt;/p&gt;" for p in paragraphs)
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Wire</title>'
        f"<item><title>Long</title><link>https://wire.example/1</link><content:encoded>{escaped}</content:encoded>"
        "</item></channel></rss>"
    ).encode()
    (entry,) = parse_feed(feed)
    assert entry.summary == "\n".join(p.replace("&amp;", "&").strip() for p in paragraphs)


def test_feeds_are_read_by_an_expat_parser_that_hands_over_each_run_of_text_at_once():
    class Runs(ContentHandler):
        def __init__(self) -> None:
            super().__init__()
            self.runs: list[str] = []

        def characters(self, content: str) -> None:
            self.runs.append(content)

    parser = xml.sax.make_parser(_feedparser().api.PREFERRED_XML_PARSERS)
    runs = Runs()
    parser.setContentHandler(runs)
    parser.parse(io.BytesIO(b"<a>one &lt;p&gt; two &amp; three &#8220;four&#8221;</a>"))
    assert runs.runs == ["one <p> two & three \u201cfour\u201d"]
