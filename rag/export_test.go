package rag

// Scoring exposes the answer weights to tests.
type Scoring = scoring

func DefaultScoring() Scoring { return defaultScoring }

func (x *Index) SetScoring(s Scoring) { x.scoring = s }
