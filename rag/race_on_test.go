//go:build race

package rag_test

// raceDetector is true in a -race build, where allocation counts say little:
// sync.Pool drops what it is given at random, so every regexp match
// allocates a fresh machine.
const raceDetector = true
