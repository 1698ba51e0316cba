// Package tea imports Bubble Tea from etl.
package tea

import _ "charm.land/bubbletea/v2"
