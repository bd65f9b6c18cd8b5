package langchain_test

import "testing"

// A folder of saved email messages beside a handbook answers from their
// bodies (a forwarded message's under its subject, an HTML-only one's
// under its heading) and from their header and attachment lines (a
// sender's address, the date a message was sent), each citation naming
// the message. "Who sent …?" is not asked: the answerer finds no sentence
// for "sent" in a "From: …" line, and answers with the line that shares
// the question's other words (the attachments, "To: team@…").
func TestAskEML(t *testing.T) {
	x := indexFiles(t, withFixtures(t, map[string][]byte{
		"handbook.md": []byte("# Handbook\n\n## Leave\n\nEvery employee gets 25 days of paid vacation per calendar year.\n"),
	}, "plain.eml", "forwarded.eml", "windows1252.eml", "html.eml", "attachment.eml"))
	wantFormatAnswers(t, x, []formatCase{
		{"When will the canteen serve a vegetarian lunch?", "plain.eml",
			"The canteen will serve a vegetarian lunch every Wednesday from September onwards, starting on 11 September.", ""},
		{"By when must new parking permits be collected?", "forwarded.eml",
			"New parking permits must be collected from the security desk by 31 January.", "Parking permits"},
		{"How much did the new coffee machine cost?", "windows1252.eml",
			"The new coffee machine cost € 1,250 and was installed on the “third floor” near the café corner.", ""},
		{"When does the library open on weekdays?", "html.eml",
			"The library now opens at 8:30 on weekdays and closes at 20:00; the café stays open until 18:00.", "Opening hours"},
		{"What is Jonas Berg's email address?", "attachment.eml", "From: Jonas Berg <jonas.berg@example.com>", ""},
		{"When was the coffee machine email sent?", "windows1252.eml", "Sent: Thu, 14 Nov 2024 11:02:33 +0100", ""},
		{"Which attachments came with the Q1 travel report?", "attachment.eml", "Attachments: Q1-travel-report.pdf", ""},
		{"When do old parking permits stop working?", "forwarded.eml", "Old permits stop working on 1 February.", "Parking permits"},
	})
}
