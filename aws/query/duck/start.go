//go:build cgo

package duck

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/duckdb/duckdb-go/v2"
)

// start is DuckDB starting in the background: creating the database and
// applying the sandbox's settings takes a good part of a fresh process's
// first statement, which meanwhile resolves snapshots and reads footers.
type start struct {
	done chan struct{} // closed when db and err are set
	db   *sql.DB
	err  error
}

// startDuckDB starts an in-memory DuckDB configured by the sandbox.
func startDuckDB(ctx context.Context, box *sandbox) *start {
	s := &start{done: make(chan struct{})}
	go func() {
		defer close(s.done)
		conn, err := duckdb.NewConnector("", nil)
		if err != nil {
			s.err = fmt.Errorf("start DuckDB: %w", err)
			return
		}
		s.db = sql.OpenDB(conn)
		s.err = box.apply(ctx, s.db)
	}()
	return s
}

// dbSource gives the engine's database once it has started.
type dbSource func(ctx context.Context) (*sql.DB, error)

// database waits for DuckDB to have started and returns it.
func (e *Engine) database(ctx context.Context) (*sql.DB, error) {
	select {
	case <-e.start.done:
		return e.start.db, e.start.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// close waits for DuckDB to have started and closes it (closing the
// sql.DB closes its connector too).
func (s *start) close() error {
	<-s.done
	if s.db == nil {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return errors.Join(s.err, fmt.Errorf("close DuckDB: %w", err))
	}
	return nil
}
