package athena

import "math"

// DefaultPricePerTB is Athena's SQL list price in USD per terabyte scanned in
// most regions, used for regions PriceForRegion does not know.
const DefaultPricePerTB = 5.00

// Billing rules of Athena SQL queries (per-query, data-scanned pricing).
const (
	bytesPerMB    = 1_000_000         // decimal megabyte
	bytesPerTB    = 1_000_000_000_000 // decimal terabyte
	minBilledByte = 10 * bytesPerMB   // Athena bills at least 10 MB per query
)

// PriceForRegion returns Athena's price in USD per TB scanned in region, and
// whether the region is in the table. Unknown regions get DefaultPricePerTB.
//
// The table holds the public list price (per-query, data-scanned pricing,
// https://aws.amazon.com/athena/pricing/) as of this code's date, 2026-11, for
// the regions listed; prices change, some regions not listed here cost more,
// and China regions bill in CNY. Set Options.PricePerTB to override it. Costs
// computed from it are estimates, not a bill.
func PriceForRegion(region string) (float64, bool) {
	switch region {
	case "us-east-1", "us-east-2", "us-west-1", "us-west-2",
		"ca-central-1",
		"eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1",
		"ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "ap-south-1":
		return 5.00, true
	}
	return DefaultPricePerTB, false
}

// EstimateCost is the cost in USD of a query that scanned bytes at
// pricePerTB (USD per TB, 1 TB = 10^12 bytes), following Athena's billing:
// data scanned is rounded up to the next megabyte (10^6 bytes) with a minimum
// of 10 MB per query. The engine applies it only to queries that Athena
// bills: DDL and utility statements, failed queries and queries answered
// from reused results cost nothing.
func EstimateCost(bytes int64, pricePerTB float64) float64 {
	if bytes < 0 {
		bytes = 0
	}
	mb := math.Ceil(float64(bytes) / bytesPerMB)
	billed := max(mb*bytesPerMB, minBilledByte)
	return billed / bytesPerTB * pricePerTB
}
