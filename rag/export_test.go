package rag

// QuoteText exposes quoteText to tests.
var QuoteText = quoteText
