// Package corpusdir adds, replaces and removes the files of a corpus
// directory on behalf of a front end (the HTTP API's uploads, `citebot add`
// and `citebot remove`). It checks names, bounds sizes and writes
// atomically; it never indexes (the caller syncs the index afterwards) and
// it never touches a file outside the directory's top level.
package corpusdir

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/rag"
)

// Errors callers map to their own replies (an HTTP status, an exit code).
var (
	// ErrBadName: the name is not a plain file name (see CheckName).
	ErrBadName = errors.New("bad file name")
	// ErrUnsupported: no loader reads files of this type.
	ErrUnsupported = errors.New("unsupported file type")
	// ErrTooLarge: the content is longer than Dir.MaxBytes.
	ErrTooLarge = errors.New("file too large")
	// ErrExists: Add named a file the corpus already holds.
	ErrExists = errors.New("file already exists")
	// ErrNotFound: Remove named a file the corpus does not hold.
	ErrNotFound = errors.New("no such file in the corpus")
)

// MaxNameBytes is the longest name taken, in bytes of UTF-8: well under
// the 255 that common file systems allow, leaving room for the temporary
// file's prefix and suffix.
const MaxNameBytes = 200

// tempPrefix starts the names of files being written. Hidden files are
// never indexed, so a Sync that runs meanwhile does not see half a file.
const tempPrefix = ".citebot-upload-"

// CheckName reports, wrapping ErrBadName, why name cannot be a file of the
// corpus: it must be a plain name at the corpus's top level, valid UTF-8
// and at most MaxNameBytes long, with no path separator, no control or
// other invisible formatting character, not "." or "..", not starting with
// a dot (hidden files are never indexed), without leading or trailing
// space, and without a '%' before two hex digits (the index would name
// such a file with that sequence escaped).
func CheckName(name string) error {
	bad := func(why string) error { return fmt.Errorf("%w %q: %s", ErrBadName, name, why) }
	switch {
	case name == "":
		return fmt.Errorf("%w: the name is empty", ErrBadName)
	case len(name) > MaxNameBytes:
		return bad(fmt.Sprintf("longer than %d bytes", MaxNameBytes))
	case !utf8.ValidString(name):
		return bad("not valid UTF-8")
	case strings.ContainsAny(name, `/\`):
		return bad("a path, not a file name; give the file name alone")
	case name == "." || name == "..":
		return bad("not a file name")
	case strings.HasPrefix(name, "."):
		return bad("hidden files (starting with a dot) are not indexed")
	case strings.TrimSpace(name) != name:
		return bad("leading or trailing space")
	case filepath.IsAbs(name) || filepath.VolumeName(name) != "":
		return bad("an absolute path")
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			return bad("control or invisible characters")
		}
		if strings.ContainsRune(`:*?"<>|`, r) {
			return bad(fmt.Sprintf("the character %q is not allowed", r))
		}
	}
	if rag.SourceName(name) != name {
		return bad("'%' before two hex digits") // the index would escape it
	}
	return nil
}

// Dir is a corpus directory that files can be written into.
type Dir struct {
	// Root is the corpus directory.
	Root string
	// MaxBytes is the longest content taken; 0 means no limit.
	MaxBytes int64
	// Supports reports whether a loader reads files of this name's type;
	// nil takes every type.
	Supports func(name string) bool
}

// path checks name and returns where its file lies, inside the real root.
func (d Dir) path(name string) (root, path string, err error) {
	if err := CheckName(name); err != nil {
		return "", "", err
	}
	root, err = filepath.EvalSymlinks(d.Root)
	if err != nil {
		return "", "", fmt.Errorf("corpus %s: %w", d.Root, err)
	}
	if root, err = filepath.Abs(root); err != nil {
		return "", "", fmt.Errorf("corpus %s: %w", d.Root, err)
	}
	path = filepath.Join(root, name)
	// CheckName already keeps the name to one plain element; this is the
	// last word on it.
	rel, err := filepath.Rel(root, path)
	if err != nil || rel != name || filepath.Dir(path) != root {
		return "", "", fmt.Errorf("%w %q: it would leave the corpus", ErrBadName, name)
	}
	return root, path, nil
}

// Write stores content as the file name at the corpus's top level,
// atomically: it is written to a hidden temporary file in the same
// directory, synced, renamed into place and the directory synced, so a
// reader (or a crash) sees the old file or the whole new one. With replace
// false an existing file is left alone and ErrExists returned; with replace
// true it is replaced (a symbolic link by that name is replaced itself,
// never written through). It reports whether the file is new. Content over
// MaxBytes is ErrTooLarge, and nothing is written.
func (d Dir) Write(name string, content io.Reader, replace bool) (created bool, err error) {
	if err := CheckName(name); err != nil {
		return false, err
	}
	if d.Supports != nil && !d.Supports(name) {
		return false, fmt.Errorf("%w: %s", ErrUnsupported, name)
	}
	root, path, err := d.path(name)
	if err != nil {
		return false, err
	}
	st, err := os.Lstat(path)
	switch {
	case err == nil && !replace:
		return false, fmt.Errorf("%w: %s", ErrExists, name)
	case err == nil && st.IsDir():
		return false, fmt.Errorf("%w: %s is a directory", ErrExists, name)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return false, fmt.Errorf("write %s: %w", name, err)
	}
	created = err != nil

	tmp, err := os.CreateTemp(root, tempPrefix+"*")
	if err != nil {
		return false, fmt.Errorf("write %s: %w", name, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	src := content
	if d.MaxBytes > 0 {
		src = io.LimitReader(content, d.MaxBytes+1)
	}
	n, err := io.Copy(tmp, src)
	if err != nil {
		// The reader's own error (a request body over its limit, a
		// dropped connection) is kept for the caller to tell apart.
		return false, fmt.Errorf("write %s: %w", name, err)
	}
	if d.MaxBytes > 0 && n > d.MaxBytes {
		return false, fmt.Errorf("%w: %s is over %d bytes", ErrTooLarge, name, d.MaxBytes)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return false, fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		return false, fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("write %s: %w", name, err)
	}
	if replace {
		err = os.Rename(tmp.Name(), path)
	} else {
		// A link fails when the name exists, so two adds of one name
		// cannot both succeed.
		if err = os.Link(tmp.Name(), path); errors.Is(err, os.ErrExist) {
			return false, fmt.Errorf("%w: %s", ErrExists, name)
		}
		if err != nil {
			// A file system without hard links: check and rename.
			if _, lerr := os.Lstat(path); lerr == nil {
				return false, fmt.Errorf("%w: %s", ErrExists, name)
			}
			err = os.Rename(tmp.Name(), path)
		} else {
			os.Remove(tmp.Name())
		}
	}
	if err != nil {
		return false, fmt.Errorf("write %s: %w", name, err)
	}
	done = true
	return created, syncDir(root)
}

// Remove deletes the file name from the corpus's top level and syncs the
// directory. A name the corpus holds no file (or link) by is ErrNotFound.
func (d Dir) Remove(name string) error {
	root, path, err := d.path(name)
	if err != nil {
		return err
	}
	st, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) || err == nil && st.IsDir() {
		return fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	if err != nil {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	if err := os.Remove(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%w: %s", ErrNotFound, name)
		}
		return fmt.Errorf("remove %s: %w", name, err)
	}
	return syncDir(root)
}

// syncDir makes a rename or removal in dir durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
