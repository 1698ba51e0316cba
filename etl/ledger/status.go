package ledger

// Ingest statuses of a raw file version (Index.Status).
const (
	FileNew      = "new"
	FileIngested = "ingested"
	FilePartial  = "partially rejected"
	// FileAllRejected: ingested, but every row was rejected (none accepted).
	FileAllRejected = "all rows rejected"
	FileFailed      = "failed"
	// FileCancelled: its latest run was cancelled before committing it
	// (new to a default run, like a file never seen).
	FileCancelled = "cancelled"
)

// IngestedWord is the status of a file a run ingested with these counts:
// FileIngested, FilePartial when rows were rejected, FileAllRejected when
// none was accepted (the one place these words are chosen).
func IngestedWord(accepted, rejected int64) string {
	switch {
	case rejected > 0 && accepted == 0:
		return FileAllRejected
	case rejected > 0:
		return FilePartial
	}
	return FileIngested
}

// Index is the ingest log by file key, for looking up many files.
type Index map[string][]Entry

// NewIndex indexes entries by file key.
func NewIndex(entries []Entry) Index {
	ix := Index{}
	for _, e := range entries {
		ix[e.File] = append(ix[e.File], e)
	}
	return ix
}

// Status is the ingest status of one raw file version: FileIngested when
// an entry ingested it (FilePartial when that run rejected rows,
// FileAllRejected when it rejected every row), FileFailed or
// FileCancelled when its latest entry failed or was cancelled, else
// FileNew. A version is new to a default run exactly when it is not
// ingested (Ingested): new, failed or cancelled.
func (ix Index) Status(id Identity) string {
	var last *Entry
	for i, e := range ix[id.Key] {
		if ingests(e, id) {
			return IngestedWord(e.Accepted, e.Rejected)
		}
		if Same(e.Identity(), id) && (last == nil || e.EndedAt.After(last.EndedAt)) {
			last = &ix[id.Key][i]
		}
	}
	switch {
	case last != nil && last.Status == StatusFailed:
		return FileFailed
	case last != nil && last.Status == StatusCancelled:
		return FileCancelled
	}
	return FileNew
}

// Ingested reports whether the identity has a succeeded entry (Ingested).
func (ix Index) Ingested(id Identity) bool {
	s := ix.Status(id)
	return s == FileIngested || s == FilePartial || s == FileAllRejected
}
