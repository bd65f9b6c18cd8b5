// Package isolate runs a rag.Loader in a child process, one per file, so
// that a hostile file cannot take the process down or exhaust it: a parser
// that overflows its stack, spins forever or allocates without end kills
// only its child, and the Loader returns an error naming the file, which
// an ingest reports as a skipped file.
//
// The child is the running program itself (os.Executable), started with a
// few environment variables that select its child side: the program must
// call Main first thing in main (and a test binary in TestMain) with the
// loader the child should run. The child reads the file on stdin and writes
// its text on stdout. Each child has a budget: the parent kills it (its
// whole process group) when its time is up, when it writes more text than
// allowed, or when the context ends; the child caps its own memory (on
// Linux an address-space limit the kernel enforces, elsewhere the Go
// runtime's soft limit) and its stack, and a CPU-time limit kills it should
// the parent die first.
//
// The package wraps os/exec; it imports no parser and never logs.
package isolate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/citebot/citebot/rag"
)

// Defaults of Options.
const (
	DefaultTimeout = 30 * time.Second
	DefaultMemory  = 1 << 30
	DefaultMaxText = 64 << 20
)

// The errors of a child that broke its budget or died, wrapped with the
// file's name and the budget.
var (
	ErrTimeout  = errors.New("parse ran past parse_timeout")
	ErrMemory   = errors.New("parse needed more memory than parse_memory")
	ErrTooLarge = errors.New("parse produced more text than allowed")
	ErrCrash    = errors.New("parser crashed")
)

// Options configure a Loader. The zero value is usable.
type Options struct {
	// Extensions lists the extensions (".pdf"; matched case-insensitively)
	// of the files parsed in a child; other files are loaded in process.
	// Empty means every file goes to a child.
	Extensions []string
	// Timeout bounds one child's wall-clock time; 0 means DefaultTimeout.
	Timeout time.Duration
	// Memory bounds one child's memory in bytes; 0 means DefaultMemory.
	Memory int64
	// MaxText bounds the text one child may return, in bytes; 0 means
	// DefaultMaxText.
	MaxText int64
	// Parallel bounds how many children run at once; 0 means GOMAXPROCS.
	// The memory of all children together is at most Parallel × Memory.
	Parallel int
	// Executable is the program started as the child; "" means the running
	// one (os.Executable). It must call Main with a loader.
	Executable string
}

// Loader is a rag.Loader that parses files in a child process running
// another Loader, within a budget of time, memory and output. It is safe
// for concurrent use.
type Loader struct {
	inner rag.Loader
	opts  Options
	exts  map[string]bool
	slots chan struct{}
}

var _ rag.Loader = (*Loader)(nil)

// ReadsBinary is the inner loader's (rag.BinaryFormats), PDF alone when it
// does not say.
func (l *Loader) ReadsBinary(name string) bool {
	if b, ok := l.inner.(rag.BinaryFormats); ok {
		return b.ReadsBinary(name)
	}
	return strings.EqualFold(path.Ext(name), ".pdf")
}

// ID is the inner loader's ID (see rag.Versioned): where a file is parsed
// does not change its text, what parses it does, so an index records the
// inner loader's version and is rebuilt when it changes.
func (l *Loader) ID() string {
	if v, ok := l.inner.(rag.Versioned); ok {
		return v.ID()
	}
	return fmt.Sprintf("%T", l.inner)
}

// New returns a Loader that hands the files opts.Extensions names to a
// child process and the others to inner, in process. The child runs the
// loader given to Main, which should be inner.
func New(inner rag.Loader, opts Options) *Loader {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Memory <= 0 {
		opts.Memory = DefaultMemory
	}
	if opts.MaxText <= 0 {
		opts.MaxText = DefaultMaxText
	}
	if opts.Parallel <= 0 {
		opts.Parallel = runtime.GOMAXPROCS(0)
	}
	l := &Loader{inner: inner, opts: opts, slots: make(chan struct{}, opts.Parallel)}
	if len(opts.Extensions) > 0 {
		l.exts = make(map[string]bool, len(opts.Extensions))
		for _, e := range opts.Extensions {
			l.exts[strings.ToLower(e)] = true
		}
	}
	return l
}

// Load extracts the text of the file name whose content is data, in a
// child process when its extension is one of Options.Extensions. An error
// from the child's loader comes back as its message (rag.ErrUnsupported
// stays recognisable); a child that breaks its budget or dies yields an
// error wrapping ErrTimeout, ErrMemory, ErrTooLarge or ErrCrash; an ended
// ctx kills the child and yields ctx's error. Every error names the file.
func (l *Loader) Load(ctx context.Context, name string, data []byte) (string, error) {
	if l.exts != nil && !l.exts[strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/")))] {
		return l.inner.Load(ctx, name, data)
	}
	select {
	case l.slots <- struct{}{}:
		defer func() { <-l.slots }()
	case <-ctx.Done():
		return "", fmt.Errorf("load %s: %w", name, context.Cause(ctx))
	}
	text, _, err := l.run(ctx, name, data)
	return text, err
}

// The environment of a child.
const (
	envChild   = "CITEBOT_ISOLATE_CHILD" // "1" in a child
	envName    = "CITEBOT_ISOLATE_NAME"
	envMemory  = "CITEBOT_ISOLATE_MEMORY"  // bytes
	envTimeout = "CITEBOT_ISOLATE_TIMEOUT" // a time.Duration
)

// Exit codes of a child, besides 0 for the text on stdout.
const (
	exitError       = 1 // the loader's error is on stderr
	exitUnsupported = 3 // the loader returned rag.ErrUnsupported
)

// stderrLimit bounds how much of a child's stderr is kept.
const stderrLimit = 16 << 10

// errStarted reports a Loader used inside a child: the program did not call
// Main first, and starting another child would recurse.
var errStarted = errors.New("isolate: Loader used in a child process; call isolate.Main first in main")

// run parses data in a child and returns its text and its process state
// (nil when it did not start).
func (l *Loader) run(ctx context.Context, name string, data []byte) (string, *os.ProcessState, error) {
	if os.Getenv(envChild) != "" {
		return "", nil, fmt.Errorf("load %s: %w", name, errStarted)
	}
	exe := l.opts.Executable
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return "", nil, fmt.Errorf("load %s: find the program to parse in: %w", name, err)
		}
	}
	// The child's own context: it ends with ctx, at the time limit, or
	// when the child writes too much.
	cctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	cctx, stop := context.WithTimeoutCause(cctx, l.opts.Timeout, ErrTimeout)
	defer stop()

	cmd := exec.CommandContext(cctx, exe)
	// Only what the child needs: no tokens or keys of the parent.
	cmd.Env = []string{
		envChild + "=1",
		envName + "=" + name,
		envMemory + "=" + strconv.FormatInt(l.opts.Memory, 10),
		envTimeout + "=" + l.opts.Timeout.String(),
		"GOTRACEBACK=none",
	}
	if raceDetector {
		// The race runtime sleeps a second at exit unless told not to.
		cmd.Env = append(cmd.Env, "GORACE=atexit_sleep_ms=0")
	}
	cmd.Stdin = bytes.NewReader(data)
	stdout := &cappedBuffer{limit: l.opts.MaxText, over: func() { cancel(ErrTooLarge) }}
	stderr := &cappedBuffer{limit: stderrLimit}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	isolateProcess(cmd)
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	ps := cmd.ProcessState
	if cause := context.Cause(cctx); cause != nil {
		switch {
		case errors.Is(cause, ErrTimeout):
			return "", ps, fmt.Errorf("load %s: %w (%v)", name, ErrTimeout, l.opts.Timeout)
		case errors.Is(cause, ErrTooLarge):
			return "", ps, fmt.Errorf("load %s: %w (%s)", name, ErrTooLarge, bytesText(l.opts.MaxText))
		default:
			return "", ps, fmt.Errorf("load %s: %w", name, cause)
		}
	}
	if err == nil {
		return stdout.String(), ps, nil
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return "", ps, fmt.Errorf("load %s: start parser: %w", name, err)
	}
	msg := strings.TrimSpace(stderr.String())
	switch code := exit.ExitCode(); {
	case code == exitError && msg != "":
		if !strings.Contains(msg, name) {
			msg = "load " + name + ": " + msg
		}
		return "", ps, errors.New(msg)
	case code == exitUnsupported:
		return "", ps, fmt.Errorf("%s: %w", name, rag.ErrUnsupported)
	case outOfMemory(msg):
		return "", ps, fmt.Errorf("load %s: %w (%s)", name, ErrMemory, bytesText(l.opts.Memory))
	default:
		why := exit.String() // "exit status 2", "signal: killed"
		if line := fatalLine(msg); line != "" {
			why = line
		}
		return "", ps, fmt.Errorf("load %s: %w (%s)", name, ErrCrash, why)
	}
}

// outOfMemory reports the Go runtime's words for an allocation that failed
// (the address-space limit refuses the memory it maps).
func outOfMemory(stderr string) bool {
	return strings.Contains(stderr, "out of memory") || strings.Contains(stderr, "cannot allocate memory")
}

// fatalLine returns the line of a crashed Go program's stderr that says
// why: the "fatal error:" or "panic:" line, else the first line.
func fatalLine(stderr string) string {
	lines := strings.Split(stderr, "\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "fatal error:") || strings.HasPrefix(l, "panic:") {
			return l
		}
	}
	return lines[0]
}

// bytesText writes n bytes in the largest binary unit that divides it.
func bytesText(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d %s", n/u.size, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// cappedBuffer keeps the first limit bytes written to it and calls over
// (when set) the first time more arrive; it never fails a write, so that
// the child is stopped by over, not blocked on a full pipe.
type cappedBuffer struct {
	buf   bytes.Buffer
	limit int64
	over  func()
	full  bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	room := c.limit - int64(c.buf.Len())
	if int64(len(p)) > room {
		c.buf.Write(p[:max(room, 0)])
		if !c.full && c.over != nil {
			c.over()
		}
		c.full = true
		return len(p), nil
	}
	return c.buf.Write(p)
}

func (c *cappedBuffer) String() string { return c.buf.String() }
