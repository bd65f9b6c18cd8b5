package isolate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/rag"
)

// TestMain is also the child: a Loader started by these tests runs this
// binary, which Main turns into a child running behave.
func TestMain(m *testing.M) {
	Main(behave{})
	os.Exit(m.Run())
}

// behave is a loader that misbehaves as its file's base name says.
type behave struct{}

var sink [][]byte

func (behave) Load(_ context.Context, name string, data []byte) (string, error) {
	switch strings.TrimSuffix(name, ".x") {
	case "echo":
		return strings.ToUpper(string(data)), nil
	case "fail":
		return "", fmt.Errorf("load %s: broken on purpose", name)
	case "unsupported":
		return "", fmt.Errorf("%s: %w", name, rag.ErrUnsupported)
	case "pid", "pid.txt":
		return strconv.Itoa(os.Getpid()), nil
	case "env":
		return os.Getenv("CITEBOT_TEST_SECRET"), nil
	case "spin":
		for {
		}
	case "deep":
		return strconv.Itoa(recurse(1)), nil
	case "grow":
		for {
			b := make([]byte, 8<<20)
			for i := range b {
				b[i] = 1
			}
			sink = append(sink, b)
		}
	case "flood":
		return strings.Repeat("a", 8<<20), nil
	case "panic":
		done := make(chan bool)
		go func() { panic("boom in a goroutine") }()
		<-done
	case "exit":
		os.Exit(7)
	}
	return "", fmt.Errorf("load %s: no such behaviour", name)
}

func recurse(n int) int {
	var pad [64]byte
	pad[n%64] = byte(n)
	return recurse(n+1) + int(pad[0])
}

func TestLoader(t *testing.T) {
	t.Setenv("CITEBOT_TEST_SECRET", "hunter2")
	short := Options{Extensions: []string{".X"}, Timeout: 2 * time.Second, Memory: 256 << 20, MaxText: 1 << 20}
	for _, c := range []struct {
		name    string
		want    string // the text, or part of the error
		wantErr error
	}{
		{"echo.x", "HELLO", nil},
		{"env.x", "", nil}, // the parent's environment stays out of the child
		{"fail.x", "load fail.x: broken on purpose", errAny},
		{"unsupported.x", "unsupported.x", rag.ErrUnsupported},
		{"spin.x", "load spin.x: parse ran past", ErrTimeout},
		{"deep.x", "load deep.x: parser crashed (fatal error: stack overflow)", ErrCrash},
		{"grow.x", "load grow.x: parse needed more memory", ErrMemory},
		{"flood.x", "load flood.x: parse produced more text", ErrTooLarge},
		{"panic.x", "load panic.x: parser crashed (panic: boom in a goroutine", ErrCrash},
		{"exit.x", "load exit.x: parser crashed (exit status 7)", ErrCrash},
	} {
		t.Run(c.name, func(t *testing.T) {
			if raceDetector && c.wantErr == ErrMemory {
				t.Skip("no address-space limit under the race detector")
			}
			start := time.Now()
			got, err := New(behave{}, short).Load(context.Background(), c.name, []byte("hello"))
			took := time.Since(start)
			if took > short.Timeout+2*time.Second {
				t.Errorf("Load took %v with a time limit of %v", took, short.Timeout)
			}
			switch {
			case c.wantErr == nil && (err != nil || got != c.want):
				t.Errorf("Load = %q, %v; want %q", got, err, c.want)
			case c.wantErr == errAny && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("Load error = %v, want one containing %q", err, c.want)
			case c.wantErr != nil && c.wantErr != errAny && (!errors.Is(err, c.wantErr) || !strings.Contains(err.Error(), c.want)):
				t.Errorf("Load error = %v, want %v containing %q", err, c.wantErr, c.want)
			}
			t.Logf("%s: %v in %v", c.name, err, took)
		})
	}
}

// errAny in a case wants an error of any kind.
var errAny = errors.New("any error")

func TestLoaderInProcess(t *testing.T) {
	l := New(behave{}, Options{Extensions: []string{".x"}})
	for name, inChild := range map[string]bool{"pid.x": true, "pid.txt": false} {
		got, err := l.Load(context.Background(), name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if own := strconv.Itoa(os.Getpid()); (got != own) != inChild {
			t.Errorf("%s loaded by process %s, this one is %s; want it in a child: %v", name, got, own, inChild)
		}
	}
	// Without extensions every file goes to a child.
	if got, err := New(behave{}, Options{}).Load(context.Background(), "pid.txt", nil); err != nil || got == strconv.Itoa(os.Getpid()) {
		t.Errorf("Load(pid.txt) = %q, %v; want another process' id", got, err)
	}
}

// An ended context kills the child at once, whatever its time limit.
func TestLoaderCanceled(t *testing.T) {
	l := New(behave{}, Options{Timeout: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	_, ps, err := l.run(ctx, "spin.x", nil)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "spin.x") {
		t.Errorf("Load error = %v, want context.Canceled naming the file", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Load returned %v after the cancel", took)
	}
	if ps == nil || ps.Exited() {
		t.Errorf("child state %v, want killed by a signal", ps)
	}
	if _, err := l.Load(ctx, "echo.x", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with an ended context: %v, want context.Canceled", err)
	}
}

// A Loader inside a child that did not call Main must not start another
// child (which would start another...).
func TestLoaderInChild(t *testing.T) {
	t.Setenv(envChild, "1")
	if _, err := New(behave{}, Options{}).Load(context.Background(), "echo.x", nil); !errors.Is(err, errStarted) {
		t.Errorf("Load in a child: %v, want errStarted", err)
	}
}

func TestBytesText(t *testing.T) {
	for n, want := range map[int64]string{1 << 30: "1 GiB", 256 << 20: "256 MiB", 3 << 10: "3 KiB", 1000: "1000 bytes", (1 << 20) + 1: "1048577 bytes"} {
		if got := bytesText(n); got != want {
			t.Errorf("bytesText(%d) = %q, want %q", n, got, want)
		}
	}
}

// versioned is a loader that names its version.
type versioned struct{ behave }

func (versioned) ID() string { return "inner/v7" }

// The isolating loader is known by its inner loader's version, so that a
// new version of the inner loader rebuilds the index.
func TestLoaderID(t *testing.T) {
	if got := New(versioned{}, Options{}).ID(); got != "inner/v7" {
		t.Errorf("ID = %q, want the inner loader's, inner/v7", got)
	}
	if got := New(behave{}, Options{}).ID(); got != "isolate.behave" {
		t.Errorf("ID of an unversioned inner loader = %q, want its type, isolate.behave", got)
	}
}
