package langchain_test

import (
	"testing"
)

func TestLoaderODT(t *testing.T) {
	loadCases(t, []struct {
		name string
		data []byte
		want string
	}{
		{"handbook.odt", makeODT(
			`<text:p text:style-name="P1">Staff Handbook</text:p>` +
				`<text:table-of-content text:name="Contents"><text:index-body><text:p>Benefits 1</text:p></text:index-body></text:table-of-content>` +
				`<text:h text:outline-level="1">Benefits</text:h>` +
				`<text:p>Every employee<text:s text:c="3"/>gets <text:span text:style-name="T1">25 days</text:span> of paid leave.<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>A footnote.</text:p></text:note-body></text:note></text:p>` +
				`<text:h text:outline-level="2">Carry-over</text:h>` +
				`<text:list><text:list-item><text:p>Up to five days<text:line-break/>carry over.</text:p></text:list-item><text:list-item><text:p>Ask HR<text:tab/>first.</text:p></text:list-item></text:list>` +
				`<text:h>No level</text:h>` +
				`<text:p><office:annotation><text:p>A comment.</text:p></office:annotation>Commented text.</text:p>` +
				`<text:p><draw:frame><svg:title>Logo</svg:title><draw:text-box><text:p>Boxed text.</text:p></draw:text-box></draw:frame>Around the box.</text:p>` +
				`<text:p/>`),
			"# Staff Handbook\n\n# Benefits\n\nEvery employee gets 25 days of paid leave.\n\n## Carry-over\n\n" +
				"Up to five days carry over.\n\nAsk HR first.\n\n# No level\n\nCommented text.\n\nBoxed text.\n\nAround the box."},
		{"table.odt", makeODT(
			`<text:p>Before.</text:p><table:table table:name="Plans"><table:table-column table:number-columns-repeated="2"/>` +
				`<table:table-header-rows><table:table-row><table:table-cell><text:p>Plan</text:p></table:table-cell><table:table-cell><text:p>Cost</text:p></table:table-cell></table:table-row></table:table-header-rows>` +
				`<table:table-row><table:table-cell><text:p>Basic</text:p><text:p>plan</text:p></table:table-cell><table:table-cell><text:p>free</text:p></table:table-cell></table:table-row>` +
				`<table:table-row><table:table-cell/><table:table-cell/></table:table-row>` +
				`</table:table><text:p>After.</text:p>`),
			"Before.\n\nPlan | Cost\n\nPlan: Basic plan; Cost: free.\n\nAfter."},
	})
}

func TestLoaderODP(t *testing.T) {
	loadCases(t, []struct {
		name string
		data []byte
		want string
	}{
		{"deck.odp", makeODP(
			odpFrame("title", "Security Basics")+odpFrame("subtitle", "For new staff"),
			odpFrame("outline", "Lock your screen.", "Report phishing.")+odpFrame("title", "Every <text:span>day</text:span>")+
				`<presentation:notes><draw:page-thumbnail/>`+odpFrame("notes", "Speaker notes.")+`</presentation:notes>`,
			odpFrame("", "No title here.")+
				`<draw:frame><table:table><table:table-row><table:table-cell><text:p>Risk</text:p></table:table-cell><table:table-cell><text:p>Owner</text:p></table:table-cell></table:table-row></table:table></draw:frame>`+
				`<draw:custom-shape><text:p>In a shape.</text:p></draw:custom-shape>`,
		),
			"# Security Basics\n\nFor new staff\n\n# Every day\n\nLock your screen.\n\nReport phishing.\n\n" +
				"# Slide 3\n\nNo title here.\n\nRisk | Owner\n\nIn a shape."},
	})
}
