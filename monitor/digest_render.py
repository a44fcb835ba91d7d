"""A digest in words, for each channel: HTML for email, Markdown for chat, plain text otherwise.
Feed text is data: it is escaped for the markup it goes into."""

from __future__ import annotations

import html
import re
from zoneinfo import ZoneInfo

from .digest import Digest, FeedTrouble, OlderStored, SeriesMove, StoryLine
from .wording import local_time, plural


def title_of(d: Digest, tz: ZoneInfo) -> str:
    span = _span(d, tz)
    if d.empty:
        return f"[digest] Nothing new, {span}"
    parts = [f"{d.attack_reports} attack and {d.strike_reports} strike reports"]
    if d.series:
        parts.append(f"{len(d.series)} attack total{'s' if len(d.series) > 1 else ''} moved")
    if d.troubles:
        parts.append(f"{len(d.troubles)} feed{'s' if len(d.troubles) > 1 else ''} in trouble")
    return f"[digest] {', '.join(parts)}, {span}"


def _steps_text(s: SeriesMove) -> str:
    return " -> ".join(f"{n} ({day})" if day != "before" else f"{n}" for day, n in s.steps())


def _nothing_new(d: Digest) -> str:
    if not d.cycles:
        return "Nothing new: no attack or strike reports, no totals moved; no polling cycle finished in this period."
    cycles = f"{d.cycles} polling cycle{'s' if d.cycles != 1 else ''}"
    return f"Nothing new: no attack or strike reports, no totals moved; every feed answered in the {cycles} of this period."


def _older(o: OlderStored, tz: ZoneInfo) -> str:
    if o.earliest is None or o.latest is None:
        dates = "with no publication date"
    else:
        first, last = o.earliest.astimezone(tz), o.latest.astimezone(tz)
        same_day = first.date() == last.date()
        dates = f"published {first:%Y-%m-%d}" if same_day else f"published {first:%Y-%m-%d} to {last:%Y-%m-%d}"
    return (
        f"Older articles stored, not new: {o.stories} report{'s' if o.stories != 1 else ''} {dates} "
        "(a new feed's earlier items, or older than alerts.max_age_days when first seen)."
    )


def _published(s: StoryLine, tz: ZoneInfo) -> str:
    return f"published {local_time(s.published, tz)}" if s.published else "publication time not given"


def _span(d: Digest, tz: ZoneInfo) -> str:
    return f"{local_time(d.period.start, tz)} to {local_time(d.period.end, tz)}"


def _carried(s: StoryLine, tz: ZoneInfo) -> str:
    return (f"carried by {s.outlets} outlets" if s.outlets > 1 else s.outlet) + f", {_published(s, tz)}"


def render_text(d: Digest, tz: ZoneInfo) -> str:
    lines = [f"Period: {_span(d, tz)}"]
    if d.empty:
        lines.append(_nothing_new(d))
        if d.older:
            lines.append(_older(d.older, tz))
        return "\n".join(lines)
    lines.append(
        f"New reports: {d.attack_reports} attack, {d.strike_reports} strike ({len(d.stories) + d.omitted} stories)"
    )
    for s in d.stories:
        lines += [
            "",
            f"* {s.title} [{', '.join(s.categories)}] ({_carried(s, tz)})",
            f'  "{s.sentence}"',
            f"  {s.link}",
        ]
    if d.omitted:
        lines += ["", f"... and {d.omitted} more stories not shown (digest.max_stories)."]
    if d.older:
        lines += ["", _older(d.older, tz)]
    if d.series:
        lines += ["", "Attack totals that moved:"]
        lines += [f"* {s.name}: {_steps_text(s)}" for s in d.series]
        if d.chart:
            lines.append("(chart attached)")
    if d.troubles:
        lines += ["", "Feeds in trouble:"]
        lines += [f"* {_trouble(t)}" for t in d.troubles]
    return "\n".join(lines)


def _trouble(t: FeedTrouble) -> str:
    if t.recovered:
        return f"{t.name}: failed during the period, answering again now (last error: {t.last_error})"
    return f"{t.name}: failing since {t.failing_since}, {plural(t.failures, 'failure')} in a row ({t.last_error})"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")


def md_text(text: str) -> str:
    """Feed text is data, not markup: a title's '*', '_', '[' or ')' must not bold, cut or break a line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def md_link(url: str) -> str:
    """A URL inside (...): spaces, parentheses and angle brackets percent-encoded so the link ends where it should."""
    return url.translate({ord(" "): "%20", ord("("): "%28", ord(")"): "%29", ord("<"): "%3C", ord(">"): "%3E"})


def render_markdown(d: Digest, tz: ZoneInfo) -> str:
    lines = [f"**Period:** {_span(d, tz)}"]
    if d.empty:
        lines.append(_nothing_new(d))
        if d.older:
            lines.append(_older(d.older, tz))
        return "\n".join(lines)
    lines.append(f"**New reports:** {d.attack_reports} attack, {d.strike_reports} strike")
    for s in d.stories:
        lines.append(
            f"- [{md_text(s.title)}]({md_link(s.link)}) _{md_text(', '.join(s.categories))}; {md_text(_carried(s, tz))}_"
        )
    if d.omitted:
        lines.append(f"- ...and {d.omitted} more stories not shown")
    if d.older:
        lines += ["", _older(d.older, tz)]
    if d.series:
        lines += ["", "**Attack totals that moved:**"]
        lines += [f"- {s.name}: {_steps_text(s)}" for s in d.series]
    if d.troubles:
        lines += ["", "**Feeds in trouble:**"]
        lines += [f"- {md_text(_trouble(t))}" for t in d.troubles]
    return "\n".join(lines)


def render_html(d: Digest, tz: ZoneInfo) -> str:
    e = html.escape
    out = [f"<p><b>Period:</b> {e(_span(d, tz))}</p>"]
    if d.empty:
        out.append(f"<p>{e(_nothing_new(d))}</p>")
        if d.older:
            out.append(f"<p>{e(_older(d.older, tz))}</p>")
        return "\n".join(out)
    out.append(f"<h2>New reports: {d.attack_reports} attack, {d.strike_reports} strike</h2><ol>")
    for s in d.stories:
        out.append(
            f'<li><a href="{e(s.link)}">{e(s.title)}</a> <i>({e(", ".join(s.categories))}; {e(_carried(s, tz))})</i>'
            f"<br><q>{e(s.sentence)}</q></li>"
        )
    out.append("</ol>")
    if d.omitted:
        out.append(f"<p>...and {d.omitted} more stories not shown (digest.max_stories).</p>")
    if d.older:
        out.append(f"<p>{e(_older(d.older, tz))}</p>")
    if d.series:
        out.append("<h2>Attack totals that moved</h2><ul>")
        out += [f"<li>{e(s.name)}: {e(_steps_text(s))}</li>" for s in d.series]
        out.append("</ul>")
        if d.chart:
            out.append(f"<p>The chart of these totals is attached ({e(d.chart.name)}).</p>")
    if d.troubles:
        out.append("<h2>Feeds in trouble</h2><ul>")
        out += [f"<li>{e(_trouble(t))}</li>" for t in d.troubles]
        out.append("</ul>")
    return "\n".join(out)


def render_for(fmt: str, d: Digest, tz: ZoneInfo) -> str:
    return {"html": render_html, "markdown": render_markdown}.get(fmt, render_text)(d, tz)
