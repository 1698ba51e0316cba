// A stand-in for Bubble Tea, so the fixture needs no download.
module charm.land/bubbletea/v2

go 1.26
