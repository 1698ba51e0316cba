// Command lakeops imports the pipeline: main must go through ui/cli.
package main

import _ "github.com/lakeops/lakeops/etl/pipeline"

func main() {}
