package gen

import (
	"encoding/json"
	"fmt"
	"os"
)

// Manifest describes what Generate wrote and what the pipeline should make of
// it: per file, Rejected rows (one per injected defect, each with exactly one
// reason code, counted in Defects) and Accepted = Rows - Rejected.
type Manifest struct {
	Dir           string  `json:"dir"`
	Seed          uint64  `json:"seed"`
	Orders        int     `json:"orders"`
	Days          int     `json:"days"`
	Products      int     `json:"products"`
	ItemsPerOrder float64 `json:"items_per_order"`
	Dirty         float64 `json:"dirty"`
	Start         string  `json:"start"` // YYYY-MM-DD
	Gzip          bool    `json:"gzip"`
	// Files in the order written: products, then per day orders and items.
	Files []FileManifest `json:"files"`
	// Datasets sums the files per dataset.
	Datasets map[string]*Counts `json:"datasets"`
	// Totals sums all files.
	Totals Counts `json:"totals"`
}

// FileManifest describes one file.
type FileManifest struct {
	Path    string `json:"path"` // relative to Dir, slash-separated
	Dataset string `json:"dataset"`
	Date    string `json:"date,omitempty"` // the day of a daily file
	Bytes   int64  `json:"bytes"`          // size on disk
	// Rows is the number of data rows written (the header excluded).
	Rows int64 `json:"rows"`
	// Accepted is the number of rows the pipeline should accept: the clean
	// rows.
	Accepted int64 `json:"accepted"`
	// Rejected is the number of rows the pipeline should reject: the dirty
	// rows.
	Rejected int64 `json:"rejected"`
	// Defects counts the dirty rows by the one reason code each gets.
	Defects map[string]int64 `json:"defects,omitempty"`
}

// Counts sums files.
type Counts struct {
	Files    int              `json:"files"`
	Rows     int64            `json:"rows"`
	Accepted int64            `json:"accepted"`
	Rejected int64            `json:"rejected"`
	Defects  map[string]int64 `json:"defects,omitempty"`
}

func (c *Counts) add(f *FileManifest) {
	c.Files++
	c.Rows += f.Rows
	c.Accepted += f.Accepted
	c.Rejected += f.Rejected
	for code, n := range f.Defects {
		if c.Defects == nil {
			c.Defects = map[string]int64{}
		}
		c.Defects[code] += n
	}
}

// File returns the entry of a file by its path relative to Dir.
func (m *Manifest) File(rel string) (*FileManifest, bool) {
	for i := range m.Files {
		if m.Files[i].Path == rel {
			return &m.Files[i], true
		}
	}
	return nil, false
}

// WriteJSON writes the manifest as indented JSON to path.
func (m *Manifest) WriteJSON(path string) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the manifest: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write the manifest: %w", err)
	}
	return nil
}
