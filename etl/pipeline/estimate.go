package pipeline

// estimateRows guesses the rows of raw files from their sizes (about 60
// bytes a row for the datasets; gzip files about 4 times that), to size the
// key set once instead of growing it.
func estimateRows(files []*rawFile) int {
	var n int64
	for _, f := range files {
		per := int64(60)
		if len(f.info.Key) > 3 && f.info.Key[len(f.info.Key)-3:] == ".gz" {
			per = 15
		}
		n += f.info.Size / per
	}
	return int(min(n, 1<<31))
}
