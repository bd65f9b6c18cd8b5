//go:build !amd64

package bench

const readKernel = "go"

func readSum(buf []uint64) uint64 { return readSumGo(buf) }
