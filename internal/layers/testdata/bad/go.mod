// A module that breaks every layering rule once (internal/layers tests it).
module github.com/lakeops/lakeops

go 1.26

require charm.land/bubbletea/v2 v2.0.0

replace charm.land/bubbletea/v2 => ./stub/bubbletea
