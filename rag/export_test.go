package rag

// QuoteText exposes quoteText to tests.
var QuoteText = quoteText

// InDocumentTerms exposes inDocumentTerms to tests.
func (x *Index) InDocumentTerms(q string) string { return x.inDocumentTerms(q) }

// ForgetShown drops the answers the index remembers for follow-ups, as a
// restart or another replica would not have them.
func (x *Index) ForgetShown() { x.shown.Store(nil) }

// NamesNothing exposes namesNothing to tests.
var NamesNothing = namesNothing
