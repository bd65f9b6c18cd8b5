#!/usr/bin/env python3
"""Writes deck.fodp, the source of the PowerPoint test fixtures (ppt_test.go),
which LibreOffice 7.4 (with Impress: libreoffice-impress-nogui) converts to
PowerPoint 97–2003 and to .pptx:

    python3 deck.py
    soffice --headless --convert-to 'ppt:MS PowerPoint 97' deck.fodp
    soffice --headless --convert-to 'pptx:Impress MS PowerPoint 2007 XML' deck.fodp

A presentation of 30 slides: a title slide (title and subtitle, é, € and
日本), a slide of bullets on two levels with speaker notes, a slide with a
text box that is no placeholder (a line break in a paragraph), a slide
with a table, a slide without a title, and 25 slides of one title and
two bullets each.

LibreOffice writes a frame as a placeholder (in .ppt, a shape with a
PlaceholderAtom and a title's or a body's TextHeaderAtom) only where the
frame has a presentation style and its page one of LibreOffice's
automatic layouts (AL…T0 a title slide, T1 title and content, T19 title
only, T20 none); else each is a plain text box, "# Slide N" in both
formats. Most of deck.ppt (about 440 KB) is the thumbnail of its first
slide in the SummaryInformation stream, which LibreOffice always writes."""
from xml.sax.saxutils import escape

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
      'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
      'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
      'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
      'office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.presentation"')


def frame(cls, y, *paras, h=3):
    """A text frame: a placeholder of the presentation class cls ("title",
    "subtitle", "outline"), or a plain text box where cls is None. A
    paragraph is a string, or a list of strings for a list (a nested list
    for its second level)."""
    attr = f' draw:layer="layout" presentation:style-name="pr1" presentation:class="{cls}"' if cls else ' draw:layer="layout"'
    body = ''.join(para(p) for p in paras)
    return (f'<draw:frame{attr} svg:x="2cm" svg:y="{y}cm" svg:width="24cm" svg:height="{h}cm">'
            f'<draw:text-box>{body}</draw:text-box></draw:frame>')


def para(p):
    if isinstance(p, list):
        return '<text:list>' + ''.join(item(i) for i in p) + '</text:list>'
    return f'<text:p>{text(p)}</text:p>'


def item(i):
    if isinstance(i, list):
        return '<text:list-item>' + para(i) + '</text:list-item>'
    return f'<text:list-item><text:p>{text(i)}</text:p></text:list-item>'


def text(s):
    # A paragraph's text, "|" a line break in it.
    return '<text:line-break/>'.join(escape(p) for p in s.split('|'))


def table(y, rows):
    cols = '<table:table-column/>' * len(rows[0])
    body = ''.join('<table:table-row>' + ''.join(
        f'<table:table-cell><text:p>{escape(c)}</text:p></table:table-cell>' for c in r) + '</table:table-row>' for r in rows)
    return (f'<draw:frame draw:layer="layout" svg:x="2cm" svg:y="{y}cm" svg:width="20cm" svg:height="4cm">'
            f'<table:table>{cols}{body}</table:table></draw:frame>')


def notes(text):
    return ('<presentation:notes><draw:page-thumbnail draw:layer="layout" svg:x="2cm" svg:y="2cm" svg:width="17cm" svg:height="10cm" presentation:class="page"/>'
            '<draw:frame draw:layer="layout" presentation:style-name="pr1" presentation:class="notes" svg:x="2cm" svg:y="14cm" '
            f'svg:width="17cm" svg:height="10cm"><draw:text-box><text:p>{escape(text)}</text:p>'
            '</draw:text-box></draw:frame></presentation:notes>')


pages = [
    ('AL1T0', frame('title', 2, 'Quarterly Review') + frame('subtitle', 6, 'Café € 日本 — Finance team')),
    ('AL2T1', frame('title', 1, 'Travel Policy') + frame('outline', 5, [
        'Book trains for trips under four hours.',
        ['Economy class on day trips.', 'First class after 20:00.'],
        'Hotels are booked through the travel desk.',
    ], h=8) + notes('Speaker secret: remind them of the 2019 audit.')),
    ('AL3T19', frame('title', 1, 'Office Moves') + frame(None, 6, 'The Zürich office moves to Europaallee on 1 March.',
                                                       'Desks are packed|by the movers.')),
    ('AL3T19', frame('title', 1, 'Travel Limits') + table(5, [['Item', 'Limit'], ['Hotel', '150 euros a night'], ['Taxi', '40 euros a ride']])),
    ('AL4T20', frame(None, 3, 'A slide without a title, in a text box.')),
]
for n in range(6, 31):
    pages.append(('AL2T1', frame('title', 1, f'Topic {n}') + frame('outline', 5, [
        f'Fact {n}: the team met {n} times this quarter.',
        f'Budget line {n} closes in week {n}.',
    ], h=8)))

LAYOUTS = {
    # LibreOffice's automatic layouts, by their number: a title slide, a
    # title and content, a title only, none.
    'AL1T0': [('title', 1, 3), ('subtitle', 6, 6)],
    'AL2T1': [('title', 1, 3), ('outline', 5, 8)],
    'AL3T19': [('title', 1, 3)],
    'AL4T20': [],
}


def layout(name):
    ph = ''.join(f'<presentation:placeholder presentation:object="{o}" svg:x="2cm" svg:y="{y}cm" svg:width="24cm" svg:height="{h}cm"/>'
                 for o, y, h in LAYOUTS[name])
    return f'<style:presentation-page-layout style:name="{name}">{ph}</style:presentation-page-layout>'


MASTER = ('<style:master-page style:name="Default" style:page-layout-name="PM1">'
          '<draw:frame draw:layer="backgroundobjects" svg:x="2cm" svg:y="1cm" svg:width="24cm" svg:height="3cm" presentation:class="title" presentation:placeholder="true"><draw:text-box/></draw:frame>'
          '<draw:frame draw:layer="backgroundobjects" svg:x="2cm" svg:y="5cm" svg:width="24cm" svg:height="8cm" presentation:class="outline" presentation:placeholder="true"><draw:text-box/></draw:frame>'
          '<presentation:notes><draw:page-thumbnail draw:layer="backgroundobjects" svg:x="2cm" svg:y="2cm" svg:width="17cm" svg:height="10cm" presentation:class="page"/>'
          '<draw:frame draw:layer="backgroundobjects" svg:x="2cm" svg:y="14cm" svg:width="17cm" svg:height="10cm" presentation:class="notes" presentation:placeholder="true"><draw:text-box/></draw:frame>'
          '</presentation:notes></style:master-page>')

with open('deck.fodp', 'w', encoding='utf-8') as f:
    f.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document {NS}>\n')
    f.write('<office:styles>' + ''.join(layout(n) for n in LAYOUTS) + '</office:styles><office:automatic-styles>'
            '<style:style style:name="pr1" style:family="presentation"/><style:page-layout style:name="PM1"><style:page-layout-properties fo:page-width="28cm" fo:page-height="15.75cm"/></style:page-layout>'
            '</office:automatic-styles>')
    f.write('<office:master-styles>' + MASTER + '</office:master-styles>\n')
    f.write('<office:body><office:presentation>\n')
    for i, (name, p) in enumerate(pages, 1):
        f.write(f'<draw:page draw:name="page{i}" draw:master-page-name="Default" presentation:presentation-page-layout-name="{name}">{p}</draw:page>\n')
    f.write('</office:presentation></office:body></office:document>\n')
