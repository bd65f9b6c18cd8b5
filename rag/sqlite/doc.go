// Package sqlite keeps citebot's history — conversations, feedback on
// answers, the operators' view of them — in a SQLite file in the data
// directory, through modernc.org/sqlite, a pure-Go driver, so that the
// static, CGO-free build stays.
//
// The database is in WAL mode: readers never wait for the writer, and a
// process killed at any instant (kill -9) loses at most the write in
// flight; synchronous=NORMAL, so a power cut may also lose the last
// commits, never the file. Writes go through one connection, in the
// order they arrive; reads use a pool of their own. Several processes
// may open one file: they take turns to write (busy_timeout), and see
// each other's writes.
//
// The schema is versioned: migrations.go lists its migrations in order,
// schema_migrations records those applied, Open applies the missing ones
// and refuses a database written by a newer citebot.
//
// A full disk, an I/O error or a database locked for too long fails a
// call with an error wrapping rag.ErrHistoryUnavailable: answers go on
// without the history. The package does not log.
package sqlite
