package isolate

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// limitMemory caps this process' address space at what it maps now plus
// memory bytes. The Go runtime reserves much address space it never uses
// (about 1.3 GB at start on amd64), so a bare limit of memory would fail at
// once; the growth from here on is what the parser allocates. An
// allocation beyond it fails and the runtime dies "out of memory".
func limitMemory(memory int64) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return // the soft limit alone
	}
	size, ok := vmSize(status)
	if !ok {
		return
	}
	limit := uint64(size + memory)
	syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: limit, Max: limit})
}

// vmSize returns the VmSize line of /proc/self/status in bytes.
func vmSize(status []byte) (int64, bool) {
	for line := range bytes.Lines(status) {
		rest, ok := bytes.CutPrefix(line, []byte("VmSize:"))
		if !ok {
			continue
		}
		kb, ok := bytes.CutSuffix(bytes.TrimSpace(rest), []byte(" kB"))
		if !ok {
			return 0, false
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(kb)), 10, 64)
		return n << 10, err == nil
	}
	return 0, false
}
