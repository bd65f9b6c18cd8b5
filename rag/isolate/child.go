package isolate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/citebot/citebot/rag"
)

// maxStack bounds a child's goroutine stacks (the Go default is 1 GB): no
// document needs deep recursion, and a parser that recurses without end
// then dies quickly, of "stack overflow".
const maxStack = 64 << 20

// childProcs is the child's GOMAXPROCS: a parser is sequential, two leave
// room for the garbage collector, and the CPU-time limit assumes them.
const childProcs = 2

// Main runs the child side of a Loader when this process was started as a
// child: it parses the file on stdin with inner, writes the text on stdout
// and exits, never returning. In any other process it returns at once.
// Call it first thing in main, and in TestMain of tests that start
// children, with the loader the children should run.
func Main(inner rag.Loader) {
	if os.Getenv(envChild) != "1" {
		return
	}
	os.Exit(child(inner))
}

// child parses one file within the budget in its environment and returns
// the exit code.
func child(inner rag.Loader) int {
	memory, err := strconv.ParseInt(os.Getenv(envMemory), 10, 64)
	if err != nil || memory <= 0 {
		memory = DefaultMemory
	}
	timeout, err := time.ParseDuration(os.Getenv(envTimeout))
	if err != nil || timeout <= 0 {
		timeout = DefaultTimeout
	}
	runtime.GOMAXPROCS(childProcs)
	debug.SetMaxStack(min(maxStack, int(memory/4)))
	// The soft limit makes the collector work harder before the hard one.
	debug.SetMemoryLimit(memory * 3 / 4)
	// A backstop should the parent die without killing the child.
	limitCPU(childProcs*timeout + time.Second)
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "read the file: %v\n", err)
		return exitError
	}
	// The address space is capped once the file is in: what the parser
	// allocates from here on is bounded by memory. (Not under the race
	// detector, whose shadow memory such a limit breaks.)
	if !raceDetector {
		limitMemory(memory)
	}

	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	text, err := inner.Load(ctx, os.Getenv(envName), data)
	switch {
	case errors.Is(err, rag.ErrUnsupported):
		fmt.Fprintln(os.Stderr, err)
		return exitUnsupported
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		return exitError
	}
	if _, err := io.WriteString(os.Stdout, text); err != nil {
		fmt.Fprintf(os.Stderr, "write the text: %v\n", err)
		return exitError
	}
	return 0
}
