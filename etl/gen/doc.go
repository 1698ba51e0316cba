// Package gen generates seed-shaped raw CSV files at any scale: products.csv,
// orders/orders_YYYY_MM_DD.csv and order_items/order_items_YYYY_MM_DD.csv with
// the seed's headers and value formats, optionally with a share of dirty rows,
// deterministic by seed (math/rand/v2 PCG). It backs `lakeops gen`.
//
// # Clean data
//
// Like the seed: products 1..Products (department_id 1..6 drawn independently
// of the department name, product_name Product_<id>_<Word>); orders 10000,
// 10001, ... spread evenly over the days, order_num 1..100, user_id
// 1001..9999, a random minute of the day (HH:MM:00, UTC, no zone),
// total_amount 20.00..499.99 written like the seed (Python float text: 77.0,
// 251.9, 229.53); date is the order's date. Items: ids 1, 2, ... in order,
// 1..~2*ItemsPerOrder-1 items per order, add_to_cart_order 1..n, user_id,
// order_timestamp and date copied from the order, product_id uniform over the
// products (repeats within an order happen, as in the seed),
// days_since_prior_order 0..30 (never empty: the seed has no empty cell),
// reordered 0/1. Clean rows do not depend on Dirty: the clean rows of a dirty
// generation are, in order, exactly the rows of the clean one.
//
// # Dirty rows
//
// When Dirty > 0, every file gets extra rows (never replacements: no clean row
// is changed or left out), so that Dirty is the share of dirty rows among the
// rows written per dataset. Each dirty row breaks exactly one row rule and is
// rejected by the pipeline with exactly one reason code; the kinds cycle
// through a fixed list per dataset (see Defects), so a file with at least
// len(Defects(dataset)) dirty rows holds every kind. Dirty rows that need a
// key of their own use fresh keys from FreshIDBase on (never referenced);
// reference defects point at ids from MissingIDBase on (never generated).
// Other values of a dirty row are valid, and its references point at an
// existing order and product, so that no second rule breaks:
//
//   - duplicate: an exact copy of the clean row just written (same file).
//   - superseded: orders and order_items: a copy of the clean row just written
//     with an older order_timestamp on the same day and another value
//     (total_amount, reordered); products: the next clean product with another
//     product_name, placed before it (the last product in input order wins).
//     When impossible (a 00:00 order, the end of products.csv), a duplicate is
//     written instead; the manifest counts what was written.
//   - malformed: a bare quote inside a field, or one field too few or too many.
//   - encoding (products only, the one dataset with string columns): an
//     invalid UTF-8 byte in department or product_name.
//   - required:<col>, type:<col>, timestamp:order_timestamp, date:date,
//     range:<col>, mismatch:date (the date a day off, both values valid),
//     reference:order_id, reference:product_id (order_items only). Items
//     never get required or type defects on order_id or product_id, which a
//     pipeline might also count as failed references.
//
// No order or product that an item references is ever dirty, so rejections
// do not cascade. For every file, if the generated files are run together (or
// products, orders, order_items in that order with earlier ones in the
// tables), the pipeline should reject exactly Manifest's Rejected rows, with
// the reasons counted in Defects, and accept Rows-Rejected. Of a duplicate
// pair the pipeline may reject either row (ties go to the last); the count is
// the same.
package gen
