package langchain_test

import (
	"testing"
)

func TestLoaderEPUB(t *testing.T) {
	loadCases(t, []struct {
		name string
		data []byte
		want string
	}{
		{"book.epub", makeEPUB("The Harbour",
			`<section epub:type="chapter"><h1>Chapter One</h1><p>The harbour froze over
			in the winter&nbsp;of 1947.</p><span epub:type="pagebreak" id="p2" title="2">2</span>`+
				`<p>Ships waited <em>outside</em> for a week.<br/>Then the ice broke.</p><script>alert(1)</script></section>`,
			`<h2>Tides</h2><div><p>Nested block.</p>Loose text.</div><table><tr><th>Month</th><th>Ships</th></tr>`+
				`<tr><td>May</td><td><p>forty</p></td></tr></table><ul><li>One</li><li>Two</li></ul><p hidden="">Hidden.</p>`+
				`<pre>line one
  line two</pre>Tail text.`,
		),
			"# The Harbour\n\n# Chapter One\n\nThe harbour froze over in the winter of 1947.\n\nShips waited outside for a week. Then the ice broke.\n\n" +
				"## Tides\n\nNested block.\n\nLoose text.\n\nMonth | Ships\n\nMonth: May; Ships: forty.\n\nOne\n\nTwo\n\nline one line two\n\nTail text."},
	})
}
