package gen

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Dataset names, as the pipeline knows them.
const (
	Products   = "products"
	Orders     = "orders"
	OrderItems = "order_items"
)

// Headers, exactly as in the seed.
const (
	ProductsHeader   = "product_id,department_id,department,product_name"
	OrdersHeader     = "order_num,order_id,user_id,order_timestamp,total_amount,date"
	OrderItemsHeader = "id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,reordered,order_timestamp,date"
)

const departmentList = "Books Clothing Electronics Home Sports Toys"

// wordList is the last part of product names (the seed uses Faker words).
const wordList = `Store There Hand Tv Easy Woman Yard Manager Face Sport Parent Contain
Audience Job That Member Own Prove Add Suggest Executive Policy Organization Group
South Development New End Cause Thousand Red Music Garden Window Paper Market River
Money Table Summer Light Coffee Travel Family Energy Picture Reason Simple Thing
Water Season Course Future Nation Moment Street Letter Report Answer Green Field
Office Strong Power Spring Silver Morning Mountain Center Friend History Voice Night
Image Action Region Value Nature Bright Corner Sound Health Glass Winter Ocean
Village Dinner Island Pocket Camera Bridge Rocket Forest Planet Basket Little
Wonder Castle Gentle Hunter Clever Orange Purple Yellow Circle Square Anchor`

// names holds the lookup tables of a generator (no package-level state).
type names struct {
	departments []string
	words       []string
}

func newNames() names {
	return names{departments: strings.Fields(departmentList), words: strings.Fields(wordList)}
}

type product struct {
	id     int64
	deptID int
	dept   int // index into names.departments
	word   int // index into names.words
}

func (n *names) newProduct(r *rand.Rand, id int64) product {
	return product{id: id, deptID: 1 + r.IntN(6), dept: r.IntN(len(n.departments)), word: r.IntN(len(n.words))}
}

func (n *names) appendProduct(b []byte, p *product) []byte {
	b = strconv.AppendInt(b, p.id, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(p.deptID), 10)
	b = append(b, ',')
	b = append(b, n.departments[p.dept]...)
	b = append(b, ",Product_"...)
	b = strconv.AppendInt(b, p.id, 10)
	b = append(b, '_')
	b = append(b, n.words[p.word]...)
	return append(b, '\n')
}

type order struct {
	id, user int64
	cents    int64
	num      int
	minute   int // minute of the day, UTC
}

func newOrder(r *rand.Rand, id int64) order {
	return order{
		num:    1 + r.IntN(100),
		id:     id,
		user:   1001 + r.Int64N(8999),
		minute: r.IntN(24 * 60),
		cents:  2000 + r.Int64N(48000),
	}
}

// day holds a day's formatted date.
type day struct {
	date []byte // YYYY-MM-DD
	t    time.Time
}

func newDay(t time.Time) day { return day{date: []byte(t.Format("2006-01-02")), t: t} }

// appendTimestamp appends date, "T", HH:MM:00.
func appendTimestamp(b []byte, d *day, minute int) []byte {
	h, m := minute/60, minute%60
	b = append(b, d.date...)
	return append(b, 'T', byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10), ':', '0', '0')
}

// appendAmount writes hundredths like the seed (Python float text): 229.53,
// 251.9, 77.0.
func appendAmount(b []byte, cents int64) []byte {
	if cents < 0 {
		b = append(b, '-')
		cents = -cents
	}
	b = strconv.AppendInt(b, cents/100, 10)
	frac := cents % 100
	if frac%10 == 0 {
		return append(b, '.', byte('0'+frac/10))
	}
	return append(b, '.', byte('0'+frac/10), byte('0'+frac%10))
}

func appendOrder(b []byte, o *order, d *day) []byte {
	b = strconv.AppendInt(b, int64(o.num), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, o.id, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, o.user, 10)
	b = append(b, ',')
	b = appendTimestamp(b, d, o.minute)
	b = append(b, ',')
	b = appendAmount(b, o.cents)
	b = append(b, ',')
	b = append(b, d.date...)
	return append(b, '\n')
}

type item struct {
	id, order, user, product int64
	minute, dspo, atc        int
	reordered                bool
}

func newItem(r *rand.Rand, id int64, o *order, atc int, products int) item {
	return item{
		id: id, order: o.id, user: o.user, minute: o.minute, atc: atc,
		dspo:      r.IntN(31),
		product:   1 + r.Int64N(int64(products)),
		reordered: r.IntN(2) == 1,
	}
}

func appendItem(b []byte, it *item, d *day) []byte {
	b = strconv.AppendInt(b, it.id, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, it.order, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, it.user, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(it.dspo), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, it.product, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(it.atc), 10)
	if it.reordered {
		b = append(b, ",1,"...)
	} else {
		b = append(b, ",0,"...)
	}
	b = appendTimestamp(b, d, it.minute)
	b = append(b, ',')
	b = append(b, d.date...)
	return append(b, '\n')
}

// splitLine turns a formatted row (no field needs quoting) into its fields.
func splitLine(b []byte) []string {
	return strings.Split(strings.TrimSuffix(string(b), "\n"), ",")
}
