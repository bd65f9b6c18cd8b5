// Package fswatch tells when the files of a corpus directory change, so
// that an index can be brought up to date with them. It watches the
// directory and every sub-directory (new ones too) with fsnotify, ignores
// hidden files and the temporary files of editors and downloads, and
// coalesces a burst of changes into one call.
//
// fswatch only reports that something changed; it neither reads files nor
// touches an index, and it never logs: the caller decides what a change
// means (typically rag.Index.Sync, which finds what changed by content hash).
package fswatch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultDebounce is the quiet time Watch waits for when given none.
const DefaultDebounce = 500 * time.Millisecond

// Watch watches dir and its sub-directories until ctx ends and calls
// onChange once the files have been quiet for debounce (<= 0 means
// DefaultDebounce) after a change: a file created, written, removed or
// renamed, or a directory created or removed. Changes to hidden files and
// directories (a name starting with ".") and to temporary files (Ignored)
// do not count.
//
// dir is watched by its name: when the directory it names is replaced (the
// usual atomic deploy, "mv corpus corpus.old && mv new corpus", or a
// symbolic link re-pointed with "ln -sfn new corpus"), Watch watches the
// new one and reports a change. While dir names no directory (removed, or
// between the two renames), nothing is reported; once it names one again,
// Watch watches it and reports a change. Besides the events of dir's parent
// that name dir, Watch looks at what dir names every ResolveEvery.
//
// onChange runs on its own goroutine, one call at a time; changes during a
// call lead to one more call after it. It receives ctx, so a call in flight
// is cancelled when Watch is. Watch returns nil when ctx ends, after the
// call in flight returns; it returns an error when dir cannot be watched at
// the start or when the watcher fails. A lost event (the kernel's queue
// overflowed) counts as a change.
func Watch(ctx context.Context, dir string, debounce time.Duration, onChange func(ctx context.Context)) error {
	return watch(ctx, dir, debounce, onChange, nil)
}

// ResolveEvery is how often Watch checks what its directory's name leads
// to, in case no event said it changed (a parent it cannot watch).
const ResolveEvery = time.Second

// watched is the directory a watch follows: the name it was given and the
// directory that name leads to now.
type watched struct {
	w      *fsnotify.Watcher
	path   string      // absolute, as given (perhaps a symbolic link)
	root   string      // the real directory path leads to
	info   fs.FileInfo // root's, to tell a replaced directory
	gone   bool        // path leads to no directory now
	parent string      // path's parent directory, watched for path's events
}

// resolveDir returns the real path of the directory path leads to.
func resolveDir(path string) (string, fs.FileInfo, error) {
	root, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", nil, err
	}
	st, err := os.Stat(root)
	if err != nil {
		return "", nil, err
	}
	if !st.IsDir() {
		return "", nil, errors.New("not a directory")
	}
	return root, st, nil
}

// resolve looks at what path leads to now and watches it instead when it
// is another directory than the one watched. It reports whether it did
// (there is a directory to re-sync).
func (d *watched) resolve() bool {
	root, st, err := resolveDir(d.path)
	if err != nil {
		if !d.gone {
			d.unwatch()
			d.gone = true
		}
		return false
	}
	if !d.gone && root == d.root && os.SameFile(st, d.info) {
		return false
	}
	d.unwatch()
	if err := addTree(d.w, root); err != nil {
		d.gone = true
		return false
	}
	d.root, d.info, d.gone = root, st, false
	return true
}

// unwatch removes the watches of the directory followed so far, which may
// have moved away under another name but still carries these.
func (d *watched) unwatch() {
	for _, p := range d.w.WatchList() {
		if p == d.root || strings.HasPrefix(p, d.root+string(filepath.Separator)) {
			_ = d.w.Remove(p)
		}
	}
}

// watch is Watch; started, when not nil, is called once the initial
// watches are in place.
func watch(ctx context.Context, dir string, debounce time.Duration, onChange func(context.Context), started func()) error {
	if debounce <= 0 {
		debounce = DefaultDebounce
	}
	path, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	root, info, err := resolveDir(path)
	if err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	defer w.Close()
	if err := addTree(w, root); err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	d := &watched{w: w, path: path, root: root, info: info, parent: filepath.Dir(path)}
	// The parent tells when path is renamed over or re-linked; without it
	// (not readable, say) the periodic check still finds out.
	if d.parent != path && d.parent != root {
		_ = w.Add(d.parent)
	}
	if started != nil {
		started()
	}

	timer := time.NewTimer(debounce)
	timer.Stop()
	check := time.NewTicker(ResolveEvery)
	defer check.Stop()
	var (
		running bool // an onChange call is in flight
		again   bool // a change came during it
		done    = make(chan struct{}, 1)
	)
	defer func() {
		if running {
			<-done
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return fmt.Errorf("watch %s: watcher closed", dir)
			}
			if ev.Name == d.path || ev.Name == d.root {
				// The directory itself, or its name, changed.
				if d.resolve() {
					timer.Reset(debounce)
				}
				continue
			}
			if d.gone || filepath.Dir(ev.Name) == d.parent || !relevant(d.root, ev) {
				continue
			}
			if ev.Has(fsnotify.Create) {
				// A new directory: watch it and what is already in it.
				// Failing to is not fatal; its files are still found by
				// the next full sync.
				if st, err := os.Lstat(ev.Name); err == nil && st.IsDir() {
					_ = addTree(w, ev.Name)
				}
			}
			timer.Reset(debounce)
		case err, ok := <-w.Errors:
			if !ok {
				return fmt.Errorf("watch %s: watcher closed", dir)
			}
			if !errors.Is(err, fsnotify.ErrEventOverflow) {
				return fmt.Errorf("watch %s: %w", dir, err)
			}
			timer.Reset(debounce)
		case <-check.C:
			if d.resolve() {
				timer.Reset(debounce)
			}
		case <-timer.C:
			if d.gone {
				continue // nothing to sync; the directory's return is a change
			}
			if running {
				again = true
				continue
			}
			running = true
			go func() {
				defer func() { done <- struct{}{} }()
				onChange(ctx)
			}()
		case <-done:
			running = false
			if again {
				again = false
				timer.Reset(debounce)
			}
		}
	}
}

// addTree watches dir and every non-hidden directory under it.
func addTree(w *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return err
			}
			return nil // an unreadable sub-directory is skipped, as Sync skips it
		}
		if !d.IsDir() {
			return nil
		}
		if path != dir && hidden(d.Name()) {
			return filepath.SkipDir
		}
		if err := w.Add(path); err != nil {
			if path == dir {
				return err
			}
			return nil
		}
		return nil
	})
}

// relevant reports whether ev may change what is indexed: not a bare
// permission change, and not under a hidden or temporary name.
func relevant(root string, ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod {
		return false
	}
	rel, err := filepath.Rel(root, ev.Name)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return false
	}
	parts := strings.Split(filepath.ToSlash(rel), "/")
	for _, p := range parts[:len(parts)-1] {
		if hidden(p) {
			return false
		}
	}
	return !Ignored(parts[len(parts)-1])
}

// Ignored reports whether a file name is hidden or an editor's or
// browser's temporary file, whose changes Watch does not report: ".name",
// "name~", "#name#", "~$name" (office lock files), "4913" (vim's probe),
// and names ending .swp, .swo, .swx, .tmp, .temp, .part, .partial,
// .crdownload or .download.
func Ignored(name string) bool {
	if hidden(name) || strings.HasSuffix(name, "~") || strings.HasPrefix(name, "~$") ||
		strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#") || name == "4913" {
		return true
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".swp", ".swo", ".swx", ".tmp", ".temp", ".part", ".partial", ".crdownload", ".download":
		return true
	}
	return false
}

func hidden(name string) bool { return strings.HasPrefix(name, ".") }
