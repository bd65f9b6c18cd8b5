//go:build race

package isolate

// raceDetector is true in a -race build: the race detector maps its shadow
// memory as it goes, which an address-space limit breaks.
const raceDetector = true
