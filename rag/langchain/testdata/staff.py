#!/usr/bin/env python3
"""Writes staff.fods and small.fods, the sources of the .xls test fixtures
(xls_test.go), which LibreOffice converts to .xls and .xlsx:

    python3 staff.py
    soffice --headless --convert-to xls staff.fods small.fods
    soffice --headless --convert-to xlsx staff.fods small.fods

A workbook of three sheets, one hidden: "Staff" (text, numbers, dates,
times, formulas, a merged cell, an empty row) and "Codes" (3,000 distinct
strings, which take the shared string table past one record); small.fods
is the workbook without "Codes", its dates counted from 1904.

Convert the .fods files themselves: LibreOffice 7.4 saves an .ods it opened
to .xls with a formula's cached string result as 0 and no STRING record."""
from xml.sax.saxutils import escape

def cell(v):
    if v is None:
        return '<table:table-cell/>'
    if isinstance(v, tuple):  # (kind, ...)
        kind = v[0]
        if kind == 'date':
            return f'<table:table-cell table:style-name="date" office:value-type="date" office:date-value="{v[1]}"/>'
        if kind == 'stamp':
            return f'<table:table-cell table:style-name="stamp" office:value-type="date" office:date-value="{v[1]}"/>'
        if kind == 'time':
            return f'<table:table-cell table:style-name="clock" office:value-type="time" office:time-value="{v[1]}"/>'
        if kind == 'pct':
            return f'<table:table-cell table:style-name="pct" office:value-type="percentage" office:value="{v[1]}"/>'
        if kind == 'bool':
            return f'<table:table-cell office:value-type="boolean" office:boolean-value="{v[1]}"/>'
        if kind == 'f':
            f = escape(v[1], {'"': '&quot;'})
            return f'<table:table-cell table:formula="of:{f}"/>'
        if kind == 'merge':
            return f'<table:table-cell table:number-columns-spanned="2" office:value-type="string"><text:p>{escape(v[1])}</text:p></table:table-cell><table:covered-table-cell/>'
    if isinstance(v, (int, float)):
        return f'<table:table-cell office:value-type="float" office:value="{v!r}"/>'
    return f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p></table:table-cell>'

def table(name, rows, hidden=False):
    style = ' table:style-name="hide"' if hidden else ''
    body = ''.join('<table:table-row>' + ''.join(cell(c) for c in r) + '</table:table-row>' for r in rows)
    return f'<table:table table:name="{escape(name)}"{style}>{body}</table:table>'

staff = [
    ['name', 'start', 'days', 'rate', 'total', 'note', 'flag', 'share'],
    ['Ada Lovelace', ('date', '2024-12-26'), 25, 12.5, ('f', '[.C2]*[.D2]'), 'Café € 日本', ('bool', 'true'), ('pct', 0.25)],
    ['Alan Turing', ('stamp', '2025-01-02T09:30:00'), 30, 0.1, ('f', '[.C3]*[.D3]'), ('f', '[.A3]&" (UK)"'), ('bool', 'false'), None],
    ['Grace Hopper', None, -7, 1234567.891, ('f', '1/0'), ('merge', 'wide note'), 'last'],
    ['Edsger Dijkstra', ('time', 'PT13H30M00S'), 100000, 1e20, ('f', '[.C5]>0'), None, None, 1.5e-7],
    ['', None, None, None, None, None, None, None],
    ['Barbara Liskov', ('date', '1900-01-15'), 70000, 0.3333333333333333, ('f', '""'), 'x', None, 123456789012],
]
codes = [['code', 'label']]
for i in range(1, 3001):
    extra = ' Zürich' if i % 7 == 0 else (' 東京' if i % 11 == 0 else '')
    codes.append([f'C{i:04d}', f'label {i}{extra}'])
secret = [['secret'], ['hidden value']]

def book(tables, settings=''):
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles>
<number:date-style style:name="N1"><number:year number:style="long"/><number:text>-</number:text><number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/></number:date-style>
<number:date-style style:name="N2"><number:day number:style="long"/><number:text>/</number:text><number:month number:style="long"/><number:text>/</number:text><number:year number:style="long"/><number:text> </number:text><number:hours number:style="long"/><number:text>:</number:text><number:minutes number:style="long"/></number:date-style>
<number:time-style style:name="N3"><number:hours number:style="long"/><number:text>:</number:text><number:minutes number:style="long"/></number:time-style>
<number:percentage-style style:name="N4"><number:number number:decimal-places="0" number:min-integer-digits="1"/><number:text>%</number:text></number:percentage-style>
<style:style style:name="date" style:family="table-cell" style:data-style-name="N1"/>
<style:style style:name="stamp" style:family="table-cell" style:data-style-name="N2"/>
<style:style style:name="clock" style:family="table-cell" style:data-style-name="N3"/>
<style:style style:name="pct" style:family="table-cell" style:data-style-name="N4"/>
<style:style style:name="hide" style:family="table"><style:table-properties table:display="false"/></style:style>
</office:automatic-styles>
<office:body><office:spreadsheet>{settings}
{tables}
</office:spreadsheet></office:body></office:document>
'''

for name, tables in [
    ('staff.fods', table('Staff', staff) + table('Secret', secret, hidden=True) + table('Codes', codes)),
    ('small.fods', table('Staff', staff) + table('Secret', secret, hidden=True)),
]:
    # small.fods counts its dates from 1904, as old Mac workbooks do.
    settings = '<table:calculation-settings><table:null-date table:date-value="1904-01-01"/></table:calculation-settings>' if name == 'small.fods' else ''
    with open(name, 'w', encoding='utf-8') as f:
        f.write(book(tables, settings))
