package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/citebot/citebot/rag"
	"github.com/citebot/citebot/rag/corpusdir"
)

// corpusDir is the configured corpus as a directory files are written to.
func corpusDir(env Env, o *opts) corpusdir.Dir {
	return corpusdir.Dir{Root: o.cfg.Corpus, MaxBytes: o.cfg.MaxFileBytes, Supports: env.Supports}
}

// add copies each FILE into the corpus under its base name, atomically,
// then indexes. A file that cannot be added is named on stderr with why;
// the others are still added, and the command fails at the end.
func add(ctx context.Context, env Env, o *opts) error {
	if len(o.args) == 0 {
		return fmt.Errorf("%w: add takes FILE...", ErrUsage)
	}
	dir := corpusDir(env, o)
	var added []string
	failed := 0
	fail := func(what string, err error) {
		failed++
		fmt.Fprintf(env.Stderr, "citebot: add %s: %v\n", what, err)
	}
	for _, arg := range o.args {
		name := filepath.Base(arg)
		if err := addFile(dir, arg, name, o.replace); err != nil {
			fail(arg, err)
			continue
		}
		added = append(added, name)
	}
	if len(added) > 0 {
		idx, rep, err := open(ctx, env, o, nil)
		if err != nil && !errors.Is(err, rag.ErrNotSaved) {
			return err
		}
		var infos []rag.DocumentInfo
		for _, name := range added {
			info, ok := documentInfo(idx, name)
			if !ok {
				fail(name, fmt.Errorf("saved in the corpus but could not be indexed: %s", skipReason(rep, name)))
				continue
			}
			infos = append(infos, info)
			if !o.json {
				fmt.Fprintf(env.Stdout, "added %s\t%d chunks\t%s\n", info.Source, info.Chunks, info.Title)
			}
		}
		if o.json {
			if infos == nil {
				infos = []rag.DocumentInfo{}
			}
			if err := writeJSON(env.Stdout, infos); err != nil {
				return err
			}
		}
		if err != nil {
			return err // the snapshot could not be saved
		}
	}
	if failed > 0 {
		return fmt.Errorf("add: %d of %d files failed", failed, len(o.args))
	}
	return nil
}

// addFile copies the file at path into dir as name.
func addFile(dir corpusdir.Dir, path, name string, replace bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	_, err = dir.Write(name, f, replace)
	if errors.Is(err, corpusdir.ErrExists) {
		return fmt.Errorf("%w (use --replace to replace it)", err)
	}
	return err
}

// remove deletes each SOURCE's file from the corpus, then indexes. A
// source that cannot be removed is named on stderr with why; the others
// are still removed, and the command fails at the end.
func remove(ctx context.Context, env Env, o *opts) error {
	if len(o.args) == 0 {
		return fmt.Errorf("%w: remove takes SOURCE...", ErrUsage)
	}
	dir := corpusDir(env, o)
	var removed []string
	failed := 0
	for _, source := range o.args {
		if err := dir.Remove(source); err != nil {
			failed++
			fmt.Fprintf(env.Stderr, "citebot: remove %s: %v\n", source, err)
			continue
		}
		removed = append(removed, source)
	}
	if len(removed) > 0 {
		if _, _, err := open(ctx, env, o, nil); err != nil {
			return err
		}
		if o.json {
			if err := writeJSON(env.Stdout, removed); err != nil {
				return err
			}
		} else {
			for _, s := range removed {
				fmt.Fprintf(env.Stdout, "removed %s\n", s)
			}
		}
	}
	if failed > 0 {
		return fmt.Errorf("remove: %d of %d sources failed", failed, len(o.args))
	}
	return nil
}

// documentInfo returns the indexed document with this source.
func documentInfo(idx Index, source string) (rag.DocumentInfo, bool) {
	if idx == nil {
		return rag.DocumentInfo{}, false
	}
	for _, d := range idx.Documents() {
		if d.Source == source {
			return d, true
		}
	}
	return rag.DocumentInfo{}, false
}

// skipReason is why the Sync skipped source, if it says.
func skipReason(rep rag.SyncReport, source string) string {
	for _, s := range rep.Skipped {
		if s.Source == source {
			return s.Reason
		}
	}
	return "it is not in the index"
}
