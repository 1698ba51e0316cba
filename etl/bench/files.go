package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// linkTree hard-links (or, across file systems, copies) the files of src
// that keep selects into dst, keeping their relative paths. Lakes are
// copied this way: lakeops never writes into an existing file (the folder
// store writes a temporary file and renames or links it), so a linked
// copy cannot change the original.
func linkTree(src, dst string, keep func(rel string) bool) error {
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if keep != nil && !keep(filepath.ToSlash(rel)) {
			return nil
		}
		return linkFile(p, filepath.Join(dst, rel))
	})
}

// linkFile makes dst a hard link to src (a copy where links fail). A dst
// that is already src is left alone; any other is replaced (a kept --dir
// holds the links of the bench before: copying src onto a link to itself
// would empty it).
func linkFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if di, err := os.Stat(dst); err == nil {
		si, err := os.Stat(src)
		if err != nil {
			return err
		}
		if os.SameFile(si, di) {
			return nil
		}
		if err := os.Remove(dst); err != nil {
			return err
		}
	}
	if os.Link(src, dst) == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// csvFiles lists the .csv files of a folder in name order.
func csvFiles(dir string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	slices.Sort(paths)
	if err == nil && len(paths) == 0 {
		err = fmt.Errorf("no CSV files in %s", dir)
	}
	return paths, err
}

// csvBody is a CSV file's header line and its other lines.
func csvBody(path string) (header []byte, lines [][]byte, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	all := bytes.SplitAfter(b, []byte("\n"))
	if n := len(all); n > 0 && len(all[n-1]) == 0 {
		all = all[:n-1]
	}
	if len(all) == 0 {
		return nil, nil, fmt.Errorf("%s is empty", path)
	}
	for i, l := range all {
		if !bytes.HasSuffix(l, []byte("\n")) {
			all[i] = append(l, '\n')
		}
	}
	return all[0], all[1:], nil
}

// concatCSV writes the files' rows, in order, under the first one's header.
func concatCSV(dst string, srcs []string) error {
	var out bytes.Buffer
	for i, s := range srcs {
		h, lines, err := csvBody(s)
		if err != nil {
			return err
		}
		if i == 0 {
			out.Write(h)
		}
		for _, l := range lines {
			out.Write(l)
		}
	}
	return writeFile(dst, out.Bytes())
}

// interleaveCSV writes the files' rows round robin — one row of each file
// in turn — under the first one's header: daily files become one file
// whose rows cycle through the days.
func interleaveCSV(dst string, srcs []string) (rows int, err error) {
	var header []byte
	bodies := make([][][]byte, len(srcs))
	for i, s := range srcs {
		h, lines, err := csvBody(s)
		if err != nil {
			return 0, err
		}
		if i == 0 {
			header = h
		}
		bodies[i] = lines
	}
	var out bytes.Buffer
	out.Write(header)
	for k := 0; ; k++ {
		wrote := false
		for _, lines := range bodies {
			if k < len(lines) {
				out.Write(lines[k])
				rows++
				wrote = true
			}
		}
		if !wrote {
			break
		}
	}
	return rows, writeFile(dst, out.Bytes())
}

// redeliverCSV writes a re-delivery of an order_items file: the same rows,
// with add_to_cart_order raised by one in every tenth row that holds a
// valid one, so that the row keeps its key and passes the rules but
// differs. It returns the number of rows changed.
func redeliverCSV(dst, src string) (changed int, err error) {
	h, lines, err := csvBody(src)
	if err != nil {
		return 0, err
	}
	cols := strings.Split(strings.TrimSpace(string(h)), ",")
	col := slices.Index(cols, "add_to_cart_order")
	if col < 0 {
		return 0, fmt.Errorf("%s has no add_to_cart_order column", src)
	}
	var out bytes.Buffer
	out.Write(h)
	for i, l := range lines {
		fields := strings.Split(strings.TrimRight(string(l), "\r\n"), ",")
		if i%10 == 0 && len(fields) == len(cols) {
			if n, err := strconv.Atoi(fields[col]); err == nil && n >= 1 {
				fields[col] = strconv.Itoa(n + 1)
				out.WriteString(strings.Join(fields, ",") + "\n")
				changed++
				continue
			}
		}
		out.Write(l)
	}
	return changed, writeFile(dst, out.Bytes())
}

func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// countLines counts the lines of a file.
func countLines(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	buf := make([]byte, 1<<20)
	var n int64
	for {
		k, err := r.Read(buf)
		n += int64(bytes.Count(buf[:k], []byte("\n")))
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
