//go:build race

package langchain_test

// raceDetector is set when the race detector runs, which makes parsing
// many times slower: time bounds are not checked then.
const raceDetector = true
