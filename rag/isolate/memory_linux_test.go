package isolate

import (
	"context"
	"errors"
	"syscall"
	"testing"
)

// The address-space limit holds the child's resident memory to its budget
// (the runtime reserves address space in 64 MiB arenas, so it may stop
// short of it).
func TestLoaderMemory(t *testing.T) {
	if raceDetector {
		t.Skip("no address-space limit under the race detector")
	}
	for _, memory := range []int64{128 << 20, 512 << 20} {
		l := New(behave{}, Options{Memory: memory})
		_, ps, err := l.run(context.Background(), "grow.x", nil)
		if !errors.Is(err, ErrMemory) {
			t.Fatalf("grow with %d MiB: %v, want ErrMemory", memory>>20, err)
		}
		rss := ps.SysUsage().(*syscall.Rusage).Maxrss << 10
		t.Logf("budget %d MiB: peak resident %d MiB", memory>>20, rss>>20)
		if rss > memory+64<<20 || rss < memory/4 {
			t.Errorf("budget %d MiB: child peaked at %d MiB resident", memory>>20, rss>>20)
		}
	}
}

func TestVMSize(t *testing.T) {
	for in, want := range map[string]int64{
		"Name:\tx\nVmPeak:\t 2000 kB\nVmSize:\t 1260724 kB\nVmLck:\t 0 kB\n": 1260724 << 10,
		"VmSize: 12 kB": 12 << 10,
		"VmSize: 12 MB": -1,
		"Name: x\n":     -1,
	} {
		got, ok := vmSize([]byte(in))
		if !ok {
			got = -1
		}
		if got != want {
			t.Errorf("vmSize(%q) = %d, want %d", in, got, want)
		}
	}
}
