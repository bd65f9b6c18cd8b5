package rag

import "math"

// The features of the three fitted models are listed here, in the order of
// their weights in weights_gen.go: what ranks passages, what chooses the
// answer sentence, and what decides whether the answer is right. Each is a
// small function of what retrieval measured, named for what it measures.
// citebot train fits the weights; nothing else sets them.

// feature is one named input of a fitted model.
type feature[T any] struct {
	name string
	fn   func(*T) float64
}

func values[T any](fs []feature[T], in *T) []float64 {
	out := make([]float64, len(fs))
	for i, f := range fs {
		out[i] = f.fn(in)
	}
	return out
}

func featureNames[T any](fs []feature[T]) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.name
	}
	return out
}

// passageInput is what the passage ranker sees of one candidate.
type passageInput struct {
	bm25, bm25Max     float64 // BM25 of the passage and the best among candidates, over the question's IDF
	dense, denseMax   float64 // cosine to the question, and the best among candidates
	coverage, exact   float64 // IDF-weighted question coverage, with and without related-word credit
	title             float64 // coverage of the question by the document's title
	bestSentence      float64 // the best coverage of one sentence of the passage
	bestWindow        float64 // the best coverage of two sentences in a row
	bestTyped         float64 // the best coverage of a sentence holding the asked type (0 when none is asked)
	bigrams           float64 // share of the question's word pairs the passage has in a row
	first             bool    // the first chunk of its document
	document          float64 // coverage of the question by the candidates of the passage's document
	lexRank, denseRnk int     // 0-based ranks among the candidates by BM25 and by cosine
	proposedRank      int     // rank in the lexical index's (or hybrid store's) list; -1 when absent
}

var passageFeatures = []feature[passageInput]{
	{"bm25", bm25Score},
	{"bm25_share_of_best", bm25ShareOfBest},
	{"bm25_rank", bm25Rank},
	{"dense", denseScore},
	{"dense_below_best", denseBelowBest},
	{"dense_rank", denseRank},
	{"coverage", passageCoverage},
	{"exact_coverage", exactCoverage},
	{"title_coverage", titleCoverage},
	{"best_sentence_coverage", bestSentenceCoverage},
	{"proposed_rank", proposedRank},
	{"best_window_coverage", bestWindowCoverage},
	{"best_typed_sentence_coverage", bestTypedCoverage},
	{"bigrams", passageBigrams},
	{"first_chunk", firstChunk},
	{"document_coverage", documentCoverage},
}

// bm25Score is the passage's BM25 score over the sum of the question
// terms' IDF, so that questions of many and few terms compare.
func bm25Score(p *passageInput) float64 { return p.bm25 }

// bm25ShareOfBest is the passage's BM25 score as a share of the best
// candidate's.
func bm25ShareOfBest(p *passageInput) float64 {
	if p.bm25Max <= 0 {
		return 0
	}
	return p.bm25 / p.bm25Max
}

// bm25Rank is 1/(1+rank) of the passage among the candidates by BM25.
func bm25Rank(p *passageInput) float64 { return reciprocalRank(p.lexRank) }

// denseScore is the cosine similarity of passage and question embeddings.
func denseScore(p *passageInput) float64 { return p.dense }

// denseBelowBest is how far the passage's cosine falls short of the best
// candidate's.
func denseBelowBest(p *passageInput) float64 { return p.denseMax - p.dense }

// denseRank is 1/(1+rank) of the passage among the candidates by cosine.
func denseRank(p *passageInput) float64 { return reciprocalRank(p.denseRnk) }

// passageCoverage is the IDF-weighted share of the question's terms that
// the passage or its title contains, a missing term partly covered by a
// related word.
func passageCoverage(p *passageInput) float64 { return p.coverage }

// exactCoverage is passageCoverage without credit for related words.
func exactCoverage(p *passageInput) float64 { return p.exact }

// titleCoverage is the share of the question's terms in the document's
// title alone.
func titleCoverage(p *passageInput) float64 { return p.title }

// bestSentenceCoverage is the coverage of the question by the passage's
// best single sentence: the question's terms close together.
func bestSentenceCoverage(p *passageInput) float64 { return p.bestSentence }

// proposedRank is 1/(1+rank) in the lexical index's own list (BM25 in
// bleve, the fused hybrid score in Weaviate), 0 when it did not propose the
// passage.
func proposedRank(p *passageInput) float64 {
	if p.proposedRank < 0 {
		return 0
	}
	return reciprocalRank(p.proposedRank)
}

// bestWindowCoverage is the coverage of the question by the passage's best
// two sentences in a row.
func bestWindowCoverage(p *passageInput) float64 { return p.bestWindow }

// bestTypedCoverage is the coverage by the passage's best sentence that
// holds the type of answer asked for, 0 when none does or none is asked.
func bestTypedCoverage(p *passageInput) float64 { return p.bestTyped }

// passageBigrams is the share of the question's consecutive content-word
// pairs that the passage has next to each other: a phrase, not just words.
func passageBigrams(p *passageInput) float64 { return p.bigrams }

// firstChunk is 1 for the first passage of a document, where what it is
// about is said.
func firstChunk(p *passageInput) float64 { return b2f(p.first) }

// documentCoverage is the share of the question's terms that the
// retrieved passages of the passage's document hold together: the question
// is about this document.
func documentCoverage(p *passageInput) float64 { return p.document }

func reciprocalRank(r int) float64 { return 1 / float64(1+r) }

// sentenceInput is what the answer chooser sees of one candidate sentence.
type sentenceInput struct {
	lexical, exact float64 // question coverage, with and without related-word credit, under its title and heading
	own            float64 // lexical by the sentence's own words, without its title's and heading's
	dense          float64 // cosine of sentence and question embeddings
	novelty        float64 // share of the sentence's terms the question lacks
	typed          bool    // the question asks for a type of answer
	typeFound      bool    // and the sentence holds one
	context        float64 // coverage by the sentences either side
	contentTerms   int     // distinct content terms of the sentence
	item           bool    // it opens an item of a list
	position       int     // 0-based ordinal in its passage
	passageProb    float64 // the passage ranker's probability for its passage
	passageRank    int     // 0-based rank of its passage
	bigrams        float64 // share of the question's word pairs it has in a row
	focused        bool    // the question asks about a word (its focus)
	focusFound     bool    // and the sentence has it
}

var sentenceFeatures = []feature[sentenceInput]{
	{"lexical", sentenceLexical},
	{"exact_lexical", sentenceExact},
	{"dense", sentenceDense},
	{"novelty", sentenceNovelty},
	{"type_found", typeFound},
	{"type_missing", typeMissing},
	{"context_coverage", contextCoverage},
	{"short", shortSentence},
	{"first_in_passage", firstInPassage},
	{"passage_probability", passageProbability},
	{"passage_rank", passageRank},
	{"bigrams", sentenceBigrams},
	{"typed_coverage", typedCoverage},
	{"focus_found", focusFound},
	{"focus_missing", focusMissing},
}

// focusFound is 1 when the question asks about a word ("budget" in "What
// is the annual budget of …") and the sentence has it.
func focusFound(s *sentenceInput) float64 { return b2f(s.focused && s.focusFound) }

// focusMissing is 1 when the question asks about a word and the sentence
// lacks it.
func focusMissing(s *sentenceInput) float64 { return b2f(s.focused && !s.focusFound) }

// sentenceLexical is the IDF-weighted share of the question's terms in the
// sentence, with related-word credit.
func sentenceLexical(s *sentenceInput) float64 { return s.lexical }

// sentenceExact is sentenceLexical without related-word credit.
func sentenceExact(s *sentenceInput) float64 { return s.exact }

// sentenceDense is the cosine of the sentence's and the question's
// embeddings.
func sentenceDense(s *sentenceInput) float64 { return s.dense }

// sentenceNovelty is the share of the sentence's terms that the question
// does not have: a sentence that only restates the question answers
// nothing.
func sentenceNovelty(s *sentenceInput) float64 { return s.novelty }

// typeFound is 1 when the question asks for a type of answer (a date, a
// number, a person …) and the sentence holds one.
func typeFound(s *sentenceInput) float64 { return b2f(s.typed && s.typeFound) }

// typeMissing is 1 when the question asks for a type of answer and the
// sentence holds none.
func typeMissing(s *sentenceInput) float64 { return b2f(s.typed && !s.typeFound) }

// contextCoverage is the question's coverage by the sentences before and
// after: an answer often names its subject one sentence earlier.
func contextCoverage(s *sentenceInput) float64 { return s.context }

// shortSentence is 1 for a sentence of fewer than four content terms
// that is no item of a list: a dateline, a caption, a fragment of prose
// ("Photo by E. Ukibay)"), not one of the lines a list gives each thing
// ("Kitchen: up to 6 people" among "Oak Room: up to 45 people").
func shortSentence(s *sentenceInput) float64 { return b2f(s.contentTerms < 4 && !s.item) }

// firstInPassage is 1 for the first sentence of its passage.
func firstInPassage(s *sentenceInput) float64 { return b2f(s.position == 0) }

// passageProbability is the passage ranker's probability that the
// sentence's passage holds the answer.
func passageProbability(s *sentenceInput) float64 { return s.passageProb }

// passageRank is 1/(1+rank) of the sentence's passage.
func passageRank(s *sentenceInput) float64 { return reciprocalRank(s.passageRank) }

// sentenceBigrams is the share of the question's consecutive content-word
// pairs that the sentence has next to each other.
func sentenceBigrams(s *sentenceInput) float64 { return s.bigrams }

// typedCoverage is the sentence's exact coverage when it holds the type of
// answer asked for, 0 otherwise: the asked thing beside the question's
// words.
func typedCoverage(s *sentenceInput) float64 {
	if s.typed && s.typeFound {
		return s.exact
	}
	return 0
}

// answerInput is what the abstention model sees of a question and the
// answer chosen for it. Its top passage is the one the answer quotes,
// first in the answer's list, whatever the ranker's order.
type answerInput struct {
	sentenceProb, secondProb float64 // the chooser's probability for the best and the runner-up sentence
	passageProb              float64 // the ranker's probability for the top passage
	unknown                  float64 // IDF share of the question's terms that no chunk contains
	missing                  float64 // IDF share of the question's terms the top passage lacks
	rarestMissing            float64 // the largest IDF among those, over the largest possible
	typed, typeFound         bool    // the question asks for a type; the quote (the chosen sentence, or what it quotes instead or with it) has one
	lexical                  float64 // the chosen sentence's coverage
	sentenceDense            float64 // the chosen sentence's cosine
	dense                    float64 // the top passage's cosine
	bm25, bm25Max            float64 // the top passage's BM25 and the best candidate's, over the question's IDF
	coverage                 float64 // the best exact coverage of the question by one candidate
	sentenceCoverage         float64 // the best exact coverage by one sentence of a candidate
	namesMissing             float64 // share of the question's names and numbers the top passage lacks
	documentMissing          float64 // IDF share of the question's terms the top passage's document's candidates lack
	matched, rarestMatched   float64 // the IDF of the question's terms in the top passage, summed and the largest, over the IDF of a term no chunk has
	terms                    int     // content terms in the question
	// The same absences weighed by how rare each word is in general use
	// rather than in the corpus: a rare word the documents lack is the
	// mark of a question about something else.
	unknownRare, rarestUnknown     float64 // rarity share of the terms no chunk has; the rarest of them
	missingRare, rarestMissingWord float64 // rarity share of the terms the top passage lacks; the rarest of them
	documentMissingRare            float64 // rarity share of the terms the top passage's document's candidates lack
	focused, focusFound            bool    // the question asks about a word; the chosen sentence has it
}

var answerFeatures = []feature[answerInput]{
	{"sentence_probability", answerSentenceProb},
	{"sentence_margin", answerMargin},
	{"passage_probability", answerPassageProb},
	{"unknown_terms", unknownTerms},
	{"any_unknown_term", anyUnknownTerm},
	{"missing_from_passage", missingFromPassage},
	{"rarest_missing", rarestMissing},
	{"type_found", answerTypeFound},
	{"type_missing", answerTypeMissing},
	{"lexical", answerLexical},
	{"dense", answerDense},
	{"sentence_dense", answerSentenceDense},
	{"passage_bm25", answerBM25},
	{"best_bm25", bestBM25},
	{"best_coverage", bestCoverage},
	{"best_sentence_coverage", answerSentenceCoverage},
	{"matched_idf", matchedIDF},
	{"names_missing", namesMissing},
	{"missing_from_document", missingFromDocument},
	{"rarest_matched", rarestMatched},
	{"question_terms", questionTerms},
	{"unknown_rare", unknownRare},
	{"rarest_unknown", rarestUnknown},
	{"missing_rare", missingRare},
	{"rarest_missing_word", rarestMissingWord},
	{"missing_from_document_rare", documentMissingRare},
	{"focus_missing", answerFocusMissing},
}

// answerFocusMissing is 1 when the question asks about a word and the
// chosen sentence lacks it: an answer about something else.
func answerFocusMissing(a *answerInput) float64 { return b2f(a.focused && !a.focusFound) }

// answerSentenceProb is the chooser's probability for the chosen
// sentence. Not its logit: with one candidate sentence (a one-paragraph
// document) the logit is at its bound, far outside what training saw.
func answerSentenceProb(a *answerInput) float64 { return a.sentenceProb }

// answerMargin is how far the chosen sentence's probability is above the
// runner-up's.
func answerMargin(a *answerInput) float64 { return a.sentenceProb - a.secondProb }

// answerPassageProb is the ranker's probability for the top passage (not
// its logit, for the same reason).
func answerPassageProb(a *answerInput) float64 { return a.passageProb }

// unknownTerms is the IDF-weighted share of the question's terms that occur
// in no chunk of the corpus ("Uzbekistan" in a corpus about Kazakhstan).
func unknownTerms(a *answerInput) float64 { return a.unknown }

// anyUnknownTerm is 1 when some term of the question occurs in no chunk.
func anyUnknownTerm(a *answerInput) float64 { return b2f(a.unknown > 0) }

// missingFromPassage is the IDF-weighted share of the question's terms
// that the top passage lacks.
func missingFromPassage(a *answerInput) float64 { return a.missing }

// rarestMissing is the IDF of the rarest question term the top passage
// lacks, over the IDF of a term no chunk has.
func rarestMissing(a *answerInput) float64 { return a.rarestMissing }

// answerTypeFound is 1 when the question asks for a type and the quote
// holds one: the chosen sentence, or the reply a question in the documents
// is answered by, or what a colon's line introduces.
func answerTypeFound(a *answerInput) float64 { return b2f(a.typed && a.typeFound) }

// answerTypeMissing is 1 when the question asks for a type and the quote
// holds none.
func answerTypeMissing(a *answerInput) float64 { return b2f(a.typed && !a.typeFound) }

// answerLexical is the chosen sentence's coverage of the question.
func answerLexical(a *answerInput) float64 { return a.lexical }

// answerDense is the top passage's cosine to the question.
func answerDense(a *answerInput) float64 { return a.dense }

// answerSentenceDense is the chosen sentence's cosine to the question.
func answerSentenceDense(a *answerInput) float64 { return a.sentenceDense }

// answerBM25 is the top passage's BM25 score over the question's IDF.
func answerBM25(a *answerInput) float64 { return a.bm25 }

// bestBM25 is the best BM25 score of a candidate over the question's IDF.
func bestBM25(a *answerInput) float64 { return a.bm25Max }

// bestCoverage is the largest share of the question's terms (by IDF) that
// one candidate passage holds.
func bestCoverage(a *answerInput) float64 { return a.coverage }

// answerSentenceCoverage is the largest share of the question's terms that
// one sentence of a candidate holds.
func answerSentenceCoverage(a *answerInput) float64 { return a.sentenceCoverage }

// matchedIDF is the summed IDF of the question's terms found in the top
// passage, over the IDF of a term no chunk has: how specific the match is,
// not what share of the question it is.
func matchedIDF(a *answerInput) float64 { return a.matched }

// rarestMatched is the largest IDF of a question term found in the top
// passage, over the IDF of a term no chunk has.
func rarestMatched(a *answerInput) float64 { return a.rarestMatched }

// namesMissing is the share of the question's names and numbers
// ("Riverside", "1998") that the top passage does not have; 0 for a
// question without any.
func namesMissing(a *answerInput) float64 { return a.namesMissing }

// missingFromDocument is the IDF share of the question's terms that the
// retrieved passages of the top passage's document lack: a question about
// another subject finds its words scattered over many documents.
func missingFromDocument(a *answerInput) float64 { return a.documentMissing }

// questionTerms is log(1 + the number of content terms of the question).
func questionTerms(a *answerInput) float64 { return math.Log1p(float64(a.terms)) }

// unknownRare is the share of the question's terms, each weighed by how
// rare its word is in general use, that occur in no chunk.
func unknownRare(a *answerInput) float64 { return a.unknownRare }

// rarestUnknown is the rarity in general use (0–1) of the rarest question
// word that occurs in no chunk, 0 when every word does.
func rarestUnknown(a *answerInput) float64 { return a.rarestUnknown }

// missingRare is the share of the question's terms, weighed by rarity in
// general use, that the top passage lacks.
func missingRare(a *answerInput) float64 { return a.missingRare }

// rarestMissingWord is the rarity in general use of the rarest question
// word the top passage lacks.
func rarestMissingWord(a *answerInput) float64 { return a.rarestMissingWord }

// documentMissingRare is the share of the question's terms, weighed by
// rarity in general use, that the top passage's document's candidates lack.
func documentMissingRare(a *answerInput) float64 { return a.documentMissingRare }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
