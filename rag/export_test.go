package rag

// QuoteText exposes quoteText to tests.
var QuoteText = quoteText

// InDocumentTerms exposes inDocumentTerms to tests.
func (x *Index) InDocumentTerms(q string) string { return x.inDocumentTerms(q) }
