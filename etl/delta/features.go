package delta

import "sort"

// Features describes the protocol features a snapshot uses, for display
// (the console's Tables view) and for checks.
type Features struct {
	MinReaderVersion, MinWriterVersion int
	// ReaderFeatures are the reader features the table needs, sorted: those
	// its protocol lists (reader version 3), or columnMapping for a reader
	// version 2 table.
	ReaderFeatures []string
	// WriterFeatures are those the protocol lists (writer version 7), sorted.
	WriterFeatures []string
	// ColumnMapping is the column mapping mode in force ("id" or "name"),
	// "" when data files use the schema's names.
	ColumnMapping string
	// DeletionVectors counts the live files that have a deletion vector;
	// DeletedRows the rows those vectors delete.
	DeletionVectors int
	DeletedRows     int64
	// Domains names the metadata domains in force, sorted.
	Domains []string
}

// Features reports the protocol features the snapshot uses.
func (s *Snapshot) Features() Features {
	p := s.state.Protocol
	f := Features{
		MinReaderVersion: p.MinReaderVersion,
		MinWriterVersion: p.MinWriterVersion,
		ReaderFeatures:   sortedStrings(p.ReaderFeatures),
		WriterFeatures:   sortedStrings(p.WriterFeatures),
		ColumnMapping:    s.mapping,
	}
	if p.MinReaderVersion == 2 {
		f.ReaderFeatures = []string{FeatureColumnMapping}
	}
	for _, a := range s.state.files {
		if a.DeletionVector != nil {
			f.DeletionVectors++
			f.DeletedRows += a.DeletionVector.Cardinality
		}
	}
	for _, d := range s.state.Domains() {
		f.Domains = append(f.Domains, d.Domain)
	}
	return f
}

func sortedStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
