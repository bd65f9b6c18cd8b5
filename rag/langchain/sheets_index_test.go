package langchain_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag/langchain"
	"github.com/citebot/citebot/rag/ragtest"
)

// holidaysCSV is a year's office holidays, one row each.
const holidaysCSV = `date,holiday,offices
2024-01-01,New Year's Day,"London, Paris, Astana"
2024-03-08,International Women's Day,Astana
2024-03-29,Good Friday,"London, Paris"
2024-05-01,Labour Day,"Paris, Astana"
2024-07-14,Bastille Day,Paris
2024-08-26,Summer Bank Holiday,London
2024-12-25,Christmas Day,"London, Paris"
2024-12-26,Boxing Day,London
`

// staffCSV is a staff list of 100 rows (with a byte order mark, as Excel
// writes CSV), which spans several passages.
func staffCSV() string {
	var b strings.Builder
	b.WriteString("\uFEFFemployee,department,office,start date,extension\n")
	first := []string{"Anna", "Boris", "Chen", "Dana", "Emil", "Fatima", "Gustav", "Hana", "Ivan", "Julia"}
	last := []string{"Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov", "Quinn", "Rossi", "Silva", "Tanaka"}
	depts := []string{"Finance", "Legal", "Sales", "Engineering", "Support"}
	offices := []string{"London", "Paris", "Astana", "Berlin"}
	for i := range 100 {
		fmt.Fprintf(&b, "%s %s,%s,%s,2019-%02d-%02d,%d\n", first[i%10], last[i/10], depts[i%5], offices[i%4], i%12+1, i%28+1, 4000+i)
	}
	return b.String()
}

// A question about one spreadsheet row is answered from that row, with
// its header names, and cites the sheet's name as its section.
func TestAskSpreadsheets(t *testing.T) {
	corpus := t.TempDir()
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(corpus, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("holidays.csv", []byte(holidaysCSV))
	write("staff.csv", []byte(staffCSV()))
	var shared []string
	offices := xlsxRows(&shared, [][]string{
		{"office", "city", "address", "opened"},
		{"London", "London", "12 Fleet Street", "2009"},
		{"Paris", "Paris", "4 Rue de Rivoli", "2015"},
		{"Astana", "Astana", "Kabanbay Batyr Avenue 53", "2019"},
	})
	managers := xlsxRows(&shared, [][]string{
		{"office", "manager", "phone"},
		{"London", "Margaret Hale", "+44 20 7946 0958"},
		{"Paris", "Claire Dubois", "+33 1 70 36 39 50"},
		{"Astana", "Aigerim Sadykova", "+7 7172 55 01 23"},
	})
	write("offices.xlsx", makeXLSX(t, shared, "", xsheet{name: "Addresses", rows: offices}, xsheet{name: "Managers", rows: managers}))
	write("rota.ods", makeODS(t, otable{"On call", odsRows([][]string{
		{"week", "engineer", "backup"},
		{"1", "Tomasz Nowak", "Priya Raman"},
		{"2", "Priya Raman", "Jonas Berg"},
		{"3", "Jonas Berg", "Tomasz Nowak"},
	})}))
	write("handbook.md", []byte("# Handbook\n\nStaff take 25 days of paid leave a year. Unused leave may be carried over until the end of March.\n\n"+
		"Expense claims are filed within 30 days of the purchase, with the receipt attached.\n"))
	x := ragtest.New(t, corpus)
	if docs := x.Documents(); len(docs) != 5 {
		t.Fatalf("%d documents indexed (%+v), want all 5", len(docs), docs)
	}
	for _, c := range []struct {
		question, source, section, quote string
	}{
		{"Which offices are closed on Boxing Day?", "holidays.csv", "",
			"date: 2024-12-26; holiday: Boxing Day; offices: London."},
		{"Who is the manager of the Astana office?", "offices.xlsx", "Managers",
			"office: Astana; manager: Aigerim Sadykova; phone: +7 7172 55 01 23."},
		{"What is the address of the Paris office?", "offices.xlsx", "Addresses",
			"office: Paris; city: Paris; address: 4 Rue de Rivoli; opened: 2015."},
		{"Which department is Hana Okafor in?", "staff.csv", "",
			"employee: Hana Okafor; department: Sales; office: Berlin; start date: 2019-12-20; extension: 4047."},
		{"What is Julia Rossi's extension?", "staff.csv", "",
			"employee: Julia Rossi; department: Support; office: Berlin; start date: 2019-08-24; extension: 4079."},
		{"When did Emil Tanaka start?", "staff.csv", "",
			"employee: Emil Tanaka; department: Support; office: Astana; start date: 2019-11-11; extension: 4094."},
		{"Who is the backup engineer in week 2?", "rota.ods", "On call",
			"week: 2; engineer: Priya Raman; backup: Jonas Berg."},
	} {
		t.Run(c.question, func(t *testing.T) {
			a, err := x.Ask(context.Background(), c.question, 5)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("grounded %v confidence %.3f answer %q", a.Grounded, a.Confidence, a.Answer)
			for _, ct := range a.Citations {
				t.Logf("[%d] %s section %q chunk %d", ct.N, ct.Source, ct.Section, ct.Chunk)
			}
			if !a.Grounded || len(a.Citations) == 0 {
				t.Fatalf("declined (confidence %.3f): %q", a.Confidence, a.Answer)
			}
			if want := c.quote + " [1]"; !strings.HasPrefix(a.Answer, want) {
				t.Errorf("answer %q, want it to start with the row %q", a.Answer, want)
			}
			if ct := a.Citations[0]; ct.Source != c.source || ct.Section != c.section {
				t.Errorf("cites %s section %q, want %s section %q", ct.Source, ct.Section, c.source, c.section)
			}
		})
	}
}

// BenchmarkLoadSheet reads a sheet of 10,000 rows of four columns as CSV,
// XLSX and ODS.
func BenchmarkLoadSheet(b *testing.B) {
	rows := [][]string{{"date", "holiday", "offices", "note"}}
	for i := range 10_000 {
		rows = append(rows, []string{fmt.Sprintf("2024-%02d-%02d", i%12+1, i%28+1), fmt.Sprintf("Holiday %d", i), "London, Paris", fmt.Sprintf("%d", i)})
	}
	var csv strings.Builder
	for _, r := range rows {
		csv.WriteString(strings.Join(r, "\t") + "\n")
	}
	var shared []string
	sheet := xlsxRows(&shared, rows)
	files := []struct {
		name string
		data []byte
	}{
		{"sheet.tsv", []byte(csv.String())},
		{"sheet.xlsx", makeXLSX(b, shared, "", xsheet{name: "Holidays", rows: sheet})},
		{"sheet.ods", makeODS(b, otable{"Holidays", odsRows(rows)})},
	}
	for _, f := range files {
		b.Run(f.name, func(b *testing.B) {
			b.SetBytes(int64(len(f.data)))
			for b.Loop() {
				text, err := langchain.Loader{}.Load(context.Background(), f.name, f.data)
				if err != nil || !strings.Contains(text, "Holiday 9999") {
					b.Fatalf("Load = %d bytes, %v", len(text), err)
				}
			}
		})
	}
}
