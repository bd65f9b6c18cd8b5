package langchain_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/citebot/citebot/rag/langchain"
	"github.com/citebot/citebot/rag/ragtest"
)

// A reStructuredText file: section titles by their adornments' order
// (an overlined title a level of its own), directives, comments, targets
// and table borders left out, admonitions and field lists read, inline
// markup unwrapped even across a line break, literal and code blocks kept
// but indented as code (a comment in them is no heading; a code block's
// language is left out).
func TestLoaderRST(t *testing.T) {
	loadCases(t, []struct {
		name string
		data []byte
		want string
	}{
		{"guide.rst", []byte(`.. _top:

=================
Burrow user guide
=================

.. contents::
   :depth: 2

Installing
==========

Download the archive and run the installer::

   ./install.sh --prefix /usr/local

.. code-block:: bash

   # not a heading
   make install

.. note:: The installer needs **root** rights.

Configuration
=============

Burrow reads its settings from ` + "``~/.config/burrow/burrow.toml``" + `. See ` + "`the reference\n<https://example.org/ref>`_" + ` and
:ref:` + "`exit codes <codes>`" + `, or *ask* a maintainer.

Defaults
--------

=======  =======
Setting  Default
=======  =======
workers  4
=======  =======

.. image:: diagram.png
   :alt: The pipeline

.. A comment
   on two lines.

----

Exit codes
==========

:Author: Dana Whitfield

.. warning::
   Exit code 3 means the repository is unreachable.
`), "# Burrow user guide\n\n## Installing\n\nDownload the archive and run the installer:\n\n       ./install.sh --prefix /usr/local\n\n" +
			"       # not a heading\n       make install\n\n" +
			"Note: The installer needs root rights.\n\n## Configuration\n\nBurrow reads its settings from ~/.config/burrow/burrow.toml. See the reference and\n" +
			"exit codes, or ask a maintainer.\n\n### Defaults\n\nSetting  Default\nworkers  4\n\n## Exit codes\n\nAuthor: Dana Whitfield\n\n" +
			"Warning: Exit code 3 means the repository is unreachable."},
	})
}

// A table written as a list-table or a csv-table directive is read as a
// Markdown table under its caption: each row a sentence naming its cells
// once indexed. A csv-table's :file: is never read.
func TestLoaderRSTTables(t *testing.T) {
	loadCases(t, []struct {
		name string
		data []byte
		want string
	}{
		{"tables.rst", []byte(`Limits
======

.. list-table:: Hotel limits
   :header-rows: 1
   :widths: 20 20

   * - City
     - Nightly limit
   * - Paris
     - 180 euros, breakfast
       included
   * - Oslo
     -

.. csv-table:: Exit codes
   :header: "Code", "Meaning"
   :widths: 10, 40

   3, "Backup target unreachable, retry later"
   4, Some files skipped

.. csv-table:: Elsewhere
   :file: /etc/passwd

After the tables.
`), "# Limits\n\nHotel limits\n\n| City | Nightly limit |\n| --- | --- |\n| Paris | 180 euros, breakfast included |\n| Oslo |  |\n\n" +
			"Exit codes\n\n| Code | Meaning |\n| --- | --- |\n| 3 | Backup target unreachable, retry later |\n| 4 | Some files skipped |\n\nElsewhere\n\nAfter the tables."},
	})
}

// An AsciiDoc file: "=" titles as Markdown headings, attribute entries,
// block attributes, delimiters and comments left out, a listing block's
// lines kept as they are but indented as code (so that a comment in them
// is no heading), a table as a Markdown table (cells one to a
// line too), inline markup unwrapped but snake_case words kept.
func TestLoaderAsciiDoc(t *testing.T) {
	loadCases(t, []struct {
		name string
		data []byte
		want string
	}{
		{"guide.adoc", []byte(`= Burrow User Guide
:toc: left

== Installing

[source,bash]
----
./install.sh --prefix /usr/local
# not a heading here
----

NOTE: The installer needs *root* rights.

// a comment
////
a comment block
////

=== Configuration

Burrow reads ` + "`~/.config/burrow/burrow.toml`" + `. See link:https://example.org/ref[the reference] and <<codes,exit codes>>.
Press kbd:[Ctrl+C] to stop; max_parallel_workers stays as it is.

.Default values
[cols="1,1"]
|===
|Setting |Default

|workers
|_four_
|===

[[codes]]
== Exit codes

Exit code 3 means the repository is unreachable.
`), "# Burrow User Guide\n\n## Installing\n\n    ./install.sh --prefix /usr/local\n    # not a heading here\n\nNOTE: The installer needs root rights.\n\n" +
			"### Configuration\n\nBurrow reads ~/.config/burrow/burrow.toml. See the reference and exit codes.\nPress Ctrl+C to stop; max_parallel_workers stays as it is.\n\n" +
			"Default values\n\n| Setting | Default |\n| --- | --- |\n| workers | four |\n\n## Exit codes\n\nExit code 3 means the repository is unreachable."},
	})
}

// AsciiDoc's tables as Asciidoctor reads them: the columns its cols
// attribute names (a cell to a line), cells' specifiers left out (a cell
// spanning two columns followed by an empty one), an escaped "|" kept in
// its cell, and tables of comma- or colon-separated data.
func TestLoaderAsciiDocTables(t *testing.T) {
	loadCases(t, []struct {
		name string
		data []byte
		want string
	}{
		{"tables.adoc", []byte(`= Limits

[cols="1,2"]
|===
|City
|Nightly limit

|Paris
|180 euros
a|Oslo ^|150 euros \| taxes included
2+|Everywhere else: ask
|===

[format=csv]
|===
Code,Meaning
3,"Backup target unreachable, retry later"
|===

,===
Plan,Price
Basic,5 euros
,===

:===
Day:Open
Monday:9 to 5
:===
`), "# Limits\n\n| City | Nightly limit |\n| --- | --- |\n| Paris | 180 euros |\n| Oslo | 150 euros \\| taxes included |\n| Everywhere else: ask |  |\n\n" +
			"| Code | Meaning |\n| --- | --- |\n| 3 | Backup target unreachable, retry later |\n\n" +
			"| Plan | Price |\n| --- | --- |\n| Basic | 5 euros |\n\n| Day | Open |\n| --- | --- |\n| Monday | 9 to 5 |"},
		// "cols=2" is two columns; a row's last cell keeps a last word
		// that looks like a specifier; a separator attribute is read;
		// attributes on a paragraph are not the next table's.
		{"more.adoc", []byte(`[cols=2, options="header"]
|===
|Toy
|Ages
|Lego Duplo
|Ages 2+
|Plan
|Plan a
|===

[separator=;]
|===
;Name;Role
;Ann;Lead | chair
|===

[format=csv,separator=;]
|===
Name;Role
Ann;Lead
|===

[format=csv]
A paragraph.

|===
|City |Limit
|Oslo |150 euros
|===
`), "| Toy | Ages |\n| --- | --- |\n| Lego Duplo | Ages 2+ |\n| Plan | Plan a |\n\n" +
			"| Name | Role |\n| --- | --- |\n| Ann | Lead \\| chair |\n\n" +
			"| Name | Role |\n| --- | --- |\n| Ann | Lead |\n\n" +
			"A paragraph.\n\n| City | Limit |\n| --- | --- |\n| Oslo | 150 euros |"},
	})
}

// A MediaWiki page: headings, templates (nested too), comments,
// references, categories and magic words left out, links and bold and
// italics unwrapped, a numbered item as "1. " (not a heading), a table as
// a Markdown table, its cells' attributes left out.
func TestLoaderMediaWiki(t *testing.T) {
	loadCases(t, []struct {
		name string
		data []byte
		want string
	}{
		{"team.wiki", []byte(`{{Infobox team|name={{PAGENAME}}}}
'''Platform team''' runs the [[Build system|build farm]] and the [https://ci.example.org CI service].<ref>Since 2021.</ref>
__TOC__
== On call ==
The on-call engineer is paged by [[PagerDuty]]. <!-- hidden -->
# Acknowledge the page.
## Note the time.
=== Escalation ===
; Second line
: The team lead, ''Mira Holt''.
{| class="wikitable"
|-
! Service !! Owner
|-
| Builds || Jonas Berg
|-
| style="color:red" | Artifacts || [[User:Ana|Ana Ruiz]]
|}
[[Category:Teams]]
`), "Platform team runs the build farm and the CI service.\n\n## On call\n\nThe on-call engineer is paged by PagerDuty.\n1. Acknowledge the page.\n  1. Note the time.\n\n" +
			"### Escalation\n\nSecond line\nThe team lead, Mira Holt.\n\n| Service | Owner |\n| --- | --- |\n| Builds | Jonas Berg |\n| Artifacts | Ana Ruiz |"},
	})
}

// An Org mode file: "#+TITLE:" and "*" headings (their TODO keywords and
// tags left out), comments, keywords and property drawers left out, a
// source block's lines indented as code, inline markup and links
// unwrapped, a table's rule under its header as Markdown's.
func TestLoaderOrg(t *testing.T) {
	loadCases(t, []struct {
		name string
		data []byte
		want string
	}{
		{"notes.org", []byte(`#+TITLE: Release notes
#+AUTHOR: Dana
# a comment
* Version 2.3 :release:
  :PROPERTIES:
  :CUSTOM_ID: v23
  :END:
Released on *30 July 2024*, see [[https://example.org/2.3][the announcement]].
** TODO Upgrade steps
- Stop the =burrow= service.
- Run ~burrow migrate~ as /root/.
#+BEGIN_SRC sh
# not a heading here
burrow migrate --all
#+END_SRC
:NOTE:
* Version 2.2
Still read after a drawer never closed.
| Flag   | Default |
|--------+---------|
| --jobs | 4       |
`), "# Release notes\n\n# Version 2.3\n\nReleased on 30 July 2024, see the announcement.\n\n## Upgrade steps\n\n- Stop the burrow service.\n- Run burrow migrate as root.\n" +
			"    # not a heading here\n    burrow migrate --all\n\n# Version 2.2\n\nStill read after a drawer never closed.\n| Flag   | Default |\n| --- | --- |\n| --jobs | 4       |"},
	})
}

// A cell's specifiers cannot make a few bytes stand for millions of cells:
// what they add is bounded for the whole document.
func TestAsciiDocSpansBounded(t *testing.T) {
	data := "|===\n" + strings.Repeat("1000*1000+|x\n", 10_000) + "|===\n"
	got, err := langchain.Loader{}.Load(context.Background(), "spans.adoc", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > 4<<20 {
		t.Errorf("Load(spans.adoc) gave %d bytes from %d", len(got), len(data))
	}
}

// Whatever the bytes, the markup loaders return: no panic, text for text.
func FuzzLoadMarkup(f *testing.F) {
	f.Add("Title\n=====\n\n.. note::\n   x\n\n:F: v\n``a`` *b* `c <d>`_\n")
	f.Add("=\n==\n===\n")
	f.Add("= T\n:a: b\n|===\n|x\n|===\n----\n")
	f.Add("\n=====\nx\n=====")
	f.Add("{{a|{{b}}}}\n== H ==\n{|\n! a !! b\n|-\n| x || y\n|}\n# one\n[[File:x.png]]")
	f.Add("#+TITLE: T\n* H :t:\n:PROPERTIES:\n#+BEGIN_SRC\n* x\n| a | b |\n|---+---|")
	f.Add("[cols=\"2*,1\"]\n|===\n3*|a 2+|b \\| c\n.2+^.^h|d\n|===\n[format=csv]\n|===\n\"x,y\n|===\n:===\na:b\n")
	f.Add(".. list-table:: T\n   :header-rows: 1\n\n   * - a\n     - b\n   *\n     - c\n.. csv-table::\n   :header: x, \"y\n   :delim: tab\n\n   1\t2\n")
	f.Fuzz(func(t *testing.T, text string) {
		for _, name := range []string{"f.rst", "f.adoc", "f.wiki", "f.org"} {
			got, err := langchain.Loader{}.Load(context.Background(), name, []byte(text))
			if err != nil {
				t.Fatalf("Load(%s): %v", name, err)
			}
			if utf8.ValidString(text) && !utf8.ValidString(got) {
				t.Errorf("Load(%s) = %q: not UTF-8", name, got)
			}
		}
	})
}

// A handbook written in reStructuredText, one in AsciiDoc, a wiki page,
// Org mode notes, a policy in RTF and a handbook in Word 97–2003 answer
// questions from their sections, each citation naming its section.
func TestAskMarkupFormats(t *testing.T) {
	corpus := t.TempDir()
	files := map[string]string{
		"onboarding.rst": "Onboarding handbook\n===================\n\nEquipment\n---------\n\n" +
			"Every new engineer receives a **14-inch laptop** on the first day.\n\n.. note:: Lost badges cost 15 euros to replace.\n\n" +
			"Working hours\n-------------\n\nThe office is open from 8:00 to 18:00 on weekdays.\n",
		"backup.adoc": "= Backup guide\n:toc:\n\n== Retention\n\nSnapshots are kept for *30 days* before they are pruned.\n\n" +
			"== Restores\n\n[NOTE]\n====\nA restore must be approved by the on-call engineer.\n====\n",
		"oncall.wiki": "== On call ==\nThe on-call engineer is paged by [[PagerDuty]] within '''five minutes''' of an alert.\n",
		"release.org": "#+TITLE: Release notes\n* Version 2.3\nVersion 2.3 was released on *30 July 2024*.\n",
		"expenses.rtf": `{\rtf1\ansi{\stylesheet{\s1 heading 1;}}\pard\s1 Expenses\par\pard\s1 Mileage\par` +
			`\pard Private cars are reimbursed at 45p a mile for business journeys.\par}`,
	}
	doc, err := os.ReadFile("testdata/handbook.doc")
	if err != nil {
		t.Fatal(err)
	}
	files["handbook.doc"] = string(doc)
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(corpus, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	x := ragtest.New(t, corpus)
	if docs, _ := x.Size(); docs != len(files) {
		t.Fatalf("%d documents indexed of %d files", docs, len(files))
	}
	wantFormatAnswers(t, x, []formatCase{
		{"What laptop does a new engineer get?", "onboarding.rst", "Every new engineer receives a 14-inch laptop on the first day.", "Equipment"},
		{"How much does it cost to replace a lost badge?", "onboarding.rst", "Note: Lost badges cost 15 euros to replace.", "Equipment"},
		{"How long are snapshots kept?", "backup.adoc", "Snapshots are kept for 30 days before they are pruned.", "Retention"},
		{"Who must approve a restore?", "backup.adoc", "A restore must be approved by the on-call engineer.", "Restores"},
		{"How soon is the on-call engineer paged after an alert?", "oncall.wiki", "The on-call engineer is paged by PagerDuty within five minutes of an alert.", ""}, // its one heading is its title
		{"When was version 2.3 released?", "release.org", "Version 2.3 was released on 30 July 2024.", "Version 2.3"},
		{"How much are taxis reimbursed?", "handbook.doc", "Taxis are reimbursed up to 40 euros a ride.", "Expenses"},
		{"How much is mileage for a private car?", "expenses.rtf", "Private cars are reimbursed at 45p a mile for business journeys.", "Mileage"},
	})
}

// A large file of lines too short for a document (here 2 MiB of line
// breaks) is an error naming it, for every markup format, rather than
// many times its size in memory; a large document of real paragraphs reads.
func TestLoadMarkupShortLines(t *testing.T) {
	empty := []byte(strings.Repeat("\n", 2<<20))
	prose := []byte(strings.Repeat("A paragraph of a handbook, as long as such paragraphs are.\n\n", 40000))
	for _, name := range []string{"f.rst", "f.adoc", "f.wiki", "f.org"} {
		if _, err := (langchain.Loader{}).Load(context.Background(), name, empty); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("Load(%s) of 2 MiB of line breaks: %v, want an error naming it", name, err)
		}
		if got, err := (langchain.Loader{}).Load(context.Background(), name, prose); err != nil || len(got) < len(prose)/2 {
			t.Errorf("Load(%s) of %d bytes of prose: %d bytes, %v", name, len(prose), len(got), err)
		}
	}
}
