#!/bin/sh
# Makes the PDF fixtures of pdf_test.go with LibreOffice (7.4):
#
#     sh pdf.sh
#
# pdf-tables.pdf from the web page pdf-tables.html (tables between
# paragraphs, with a header, wrapped cells and numbers set right, and
# lists), by way of an OpenDocument text: straight to PDF, LibreOffice's
# web filter leaves out the page's first heading. pdf-columns.pdf from the
# flat OpenDocument text pdf-columns.fodt, prose in a section of two
# columns, which LibreOffice does not read from HTML (column-count).
set -e
cd "$(dirname "$0")"
tmp=$(mktemp -d)
soffice --headless --convert-to odt --outdir "$tmp" pdf-tables.html
soffice --headless --convert-to pdf "$tmp/pdf-tables.odt" pdf-columns.fodt
rm -r "$tmp"
