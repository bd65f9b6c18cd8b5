package langchain_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/citebot/citebot/rag/langchain"
)

// A mailbox file reads as one document under its name: each message
// under its subject, with its header lines, body and attachments' names;
// a message without a subject under "(no subject)"; escaped "From " lines
// unescaped; a block that is no message left out.
func TestLoaderMBOX(t *testing.T) {
	loadCases(t, []struct {
		name string
		data []byte
		want string
	}{
		{"Inbox.mbox", []byte("From dana@example.com Mon Jan  6 08:00:00 2025\n" +
			"From: Dana <dana@example.com>\nTo: team@example.com\nSubject: Lunch\nDate: Mon, 6 Jan 2025 08:00:00 +0000\n\n" +
			"Lunch is at 12:30.\n>From the kitchen: soup.\n\n" +
			"From sam@example.com Tue Jan  7 09:00:00 2025\n" +
			"From: Sam <sam@example.com>\nDate: Tue, 7 Jan 2025 09:00:00 +0000\n" +
			"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nNo subject, a file.\n--b\n" +
			"Content-Type: application/pdf\nContent-Disposition: attachment; filename=plan.pdf\n\nxx\n--b--\n\n" +
			"From nobody Wed Jan  8 10:00:00 2025\njust some text, no headers\n"),
			"# Inbox\n\n## Lunch\n\nFrom: Dana <dana@example.com>\nTo: team@example.com\nSent: Mon, 6 Jan 2025 08:00:00 +0000\n\n" +
				"Lunch is at 12:30.\nFrom the kitchen: soup.\n\n" +
				"## (no subject)\n\nFrom: Sam <sam@example.com>\nSent: Tue, 7 Jan 2025 09:00:00 +0000\n\nNo subject, a file.\n\nAttachments: plan.pdf."},
		// A body's line that starts "From " but opens no message (no
		// sender and weekday after it), as mailboxes that do not escape
		// them hold, stays in its message (found by a review).
		{"Budget.mbox", []byte("From a@x Mon Jan  6 08:00:00 2025\nFrom: A <a@x>\nSubject: Budget\n\nHello team,\n\n" +
			"From now on the budget review is on Fridays.\nThe deadline is 14 March.\nNotes follow.\nFrom the board:\nDate: 5 May\nTo: all staff\n\n" +
			"The board approved the budget.\n"),
			"# Budget\n\n## Budget\n\nFrom: A <a@x>\n\nHello team,\n\nFrom now on the budget review is on Fridays.\nThe deadline is 14 March.\n" +
				"Notes follow.\nFrom the board:\nDate: 5 May\nTo: all staff\n\nThe board approved the budget."},
		// Google Takeout's and Thunderbird's "From " lines, CRLF line ends.
		{"Takeout.mbox", []byte("From 1789012345678901234@xxx Mon Jan 01 00:00:00 +0000 2024\r\nFrom: B <b@x>\r\nSubject: One\r\n\r\nFirst.\r\n" +
			"From - Tue Jan 02 10:00:00 2024\r\nFrom: C <c@x>\r\nSubject: Two\r\n\r\nSecond.\r\n"),
			"# Takeout\n\n## One\n\nFrom: B <b@x>\n\nFirst.\n\n## Two\n\nFrom: C <c@x>\n\nSecond."},
	})
}

// A file with no message in it is an error naming it, whatever its bytes.
func TestLoaderMBOXNoMessages(t *testing.T) {
	for _, data := range []string{"", "just text\n", "From \n", "From x\n\n\n"} {
		if _, err := (langchain.Loader{}).Load(context.Background(), "empty.mbox", []byte(data)); err == nil || !strings.Contains(err.Error(), "empty.mbox") {
			t.Errorf("Load(%q) = %v, want an error naming the file", data, err)
		}
	}
}

// The .eml fixtures, put one after another as a mail program exports a
// folder, read as the messages they are.
func TestLoaderMBOXOfFixtures(t *testing.T) {
	var box strings.Builder
	var want []string
	for _, name := range []string{"plain.eml", "alternative.eml", "html.eml"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		box.WriteString("From someone@example.com Mon Jan  6 08:00:00 2025\n")
		box.Write(data)
		box.WriteString("\n")
		one, err := langchain.Loader{}.Load(context.Background(), name, data)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, "#"+one) // each message a level deeper
	}
	got, err := langchain.Loader{}.Load(context.Background(), "folder.mbox", []byte(box.String()))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		first, _, _ := strings.Cut(w, "\n")
		if !strings.Contains(got, first) {
			t.Errorf("Load(folder.mbox) lacks %q", first)
		}
	}
	if n := strings.Count(got, "\n## "); n != 3 {
		t.Errorf("Load(folder.mbox) has %d messages, want 3:\n%s", n, got)
	}
}

// Whatever the bytes, the mailbox reader returns: no panic.
func FuzzLoadMBOX(f *testing.F) {
	f.Add([]byte("From a\nSubject: x\n\nbody\n>From y\nFrom b\nFrom: c@d\n\nz"))
	f.Add([]byte("From a\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nq\n--b--\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := langchain.Loader{}.Load(context.Background(), "f.mbox", data)
		if err != nil && !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "f.mbox") {
			t.Fatalf("error not naming the file: %v", err)
		}
	})
}

// A mailbox answers from each of its messages, the citation naming the
// message's subject as its section.
func TestAskMBOX(t *testing.T) {
	box := "From a Mon Jan  6 08:00:00 2025\nFrom: Facilities <facilities@example.com>\nSubject: Office move\n\n" +
		"The removal team arrives at 7:30 on Friday to pack the second floor.\n\n" +
		"From b Tue Jan  7 09:00:00 2025\nFrom: HR <hr@example.com>\nSubject: Flu vaccinations\n\n" +
		"Flu vaccinations are offered in meeting room 4 on 14 November from 10:00 to 15:00.\n"
	x := indexFiles(t, map[string][]byte{
		"Inbox.mbox":  []byte(box),
		"handbook.md": []byte("# Handbook\n\n## Leave\n\nEvery employee gets 25 days of paid vacation per calendar year.\n"),
	})
	wantFormatAnswers(t, x, []formatCase{
		{"Where are flu vaccinations offered?", "Inbox.mbox",
			"Flu vaccinations are offered in meeting room 4 on 14 November from 10:00 to 15:00.", "Flu vaccinations"},
		{"When does the removal team arrive?", "Inbox.mbox",
			"The removal team arrives at 7:30 on Friday to pack the second floor.", "Office move"},
	})
}
