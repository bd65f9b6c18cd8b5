// Package postgres keeps citebot's history — conversations, feedback on
// answers, the operators' view of them — in PostgreSQL, through pgx's
// connection pool, so that replicas behind a load balancer share one
// history: each sees the others' turns and feedback as soon as they are
// written.
//
// The schema is versioned as in rag/sqlite: migrations.go lists the
// migrations in order, schema_migrations records those applied, Open
// applies the missing ones under an advisory lock (replicas starting
// together take turns) and refuses a schema written by a newer citebot.
// Tables go in the first schema of the connection's search_path
// (?search_path=NAME in the URL).
//
// It uses pgx's own pool (pgxpool) rather than database/sql: the SQL is
// PostgreSQL's anyway, the server's errors come through as *pgconn.PgError
// with their SQLSTATE (a full disk, a shutdown, a constraint), statements
// are prepared and cached per connection, and there is one pool, not
// database/sql's around pgx's. The pool's size is pool_max_conns in the
// URL (default: 4 or the number of CPUs, whichever is more).
//
// A database that cannot be reached, a connection lost, a full disk or a
// server shutting down fail a call with an error wrapping
// rag.ErrHistoryUnavailable; the pool reconnects by itself once the
// server is back. The package does not log.
package postgres
