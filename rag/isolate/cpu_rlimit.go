//go:build linux || darwin

package isolate

import (
	"syscall"
	"time"
)

// limitCPU has the kernel kill this process once it has used d of CPU
// time (soft and hard limit equal: SIGKILL, not SIGXCPU, which Go ignores).
func limitCPU(d time.Duration) {
	s := uint64((d + time.Second - 1) / time.Second)
	syscall.Setrlimit(syscall.RLIMIT_CPU, &syscall.Rlimit{Cur: s, Max: s})
}
