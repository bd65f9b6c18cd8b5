//go:build race

package main

// raceDetector is true in a -race build, where the training suite is too
// slow to run (.ci/run runs it again without -race).
const raceDetector = true
