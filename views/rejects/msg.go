package rejectsview

// ShowFile asks the Rejects view to show one file's rejected rows: it
// selects the dataset and sets the file filter (clearing the reason filter).
// Other views send it through ui.SwitchTo{Title: "Rejects", Then: ShowFile{…}}.
type ShowFile struct {
	Dataset string
	File    string
}
