//go:build !race

package rag_test

const raceDetector = false
