package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/prodlife/product-lifecycle-operator/internal/flipsnack"
)

// readCatalogue reads a catalogue file written in the platform's field names (the names of
// products.create: code, type, title, sell_price, image_link, ...): a JSON array of products,
// as a productsFrom ConfigMap holds, or a CSV file (below). format is "json", "csv" or ""
// (by the file's extension).
func readCatalogue(path, format string) ([]map[string]json.RawMessage, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if format == "" {
		format = strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	}
	switch format {
	case "json":
		var items []map[string]json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return nil, fmt.Errorf("%s is not a JSON array of products: %w", path, err)
		}
		return items, nil
	case "csv":
		items, err := readCSV(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return items, nil
	}
	return nil, fmt.Errorf("%s: say --format json or --format csv (the extension %q says neither)", path, filepath.Ext(path))
}

// readCSV reads a catalogue from CSV: the header names one field per column, a nested field
// with a dot (attribute.name1, purchasable_qty.min); each row is a product, except a row with
// a parent_code, which is a variant of the product with that code (its columns: code,
// image_link, visible, attribute.options1..3, price, discount_price). An empty cell is a
// field left out; booleans are true or false; numbers are written as decimals ("19.99").
func readCSV(r io.Reader) ([]map[string]json.RawMessage, error) {
	rd := csv.NewReader(r)
	header, err := rd.Read()
	if err != nil {
		return nil, fmt.Errorf("reading the header: %w", err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // a spreadsheet's byte order mark
	}
	for _, col := range header {
		_, product := flipsnack.ScalarKind(strings.Split(col, ".")...)
		_, variant := flipsnack.ScalarKind(append([]string{"variants"}, strings.Split(col, ".")...)...)
		if !product && !variant {
			return nil, fmt.Errorf("column %q is not a field of the platform's product or of its variants", col)
		}
	}
	var products []map[string]any
	byCode := map[string]map[string]any{}
	type variantRow struct {
		line   int
		fields map[string]any
	}
	var variants []variantRow
	for {
		row, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := rd.FieldPos(0)
		isVariant := cell(header, row, "parent_code") != ""
		fields := map[string]any{}
		for i, col := range header {
			if row[i] == "" {
				continue
			}
			path := strings.Split(col, ".")
			if isVariant {
				path = append([]string{"variants"}, path...)
			}
			kind, ok := flipsnack.ScalarKind(path...)
			if !ok {
				what := "a product's, not a variant's (a row with a parent_code)"
				if !isVariant {
					what = "a variant's: only a row with a parent_code may fill it"
				}
				return nil, fmt.Errorf("line %d: column %s is %s", line, col, what)
			}
			v, err := typed(kind, row[i])
			if err != nil {
				return nil, fmt.Errorf("line %d, column %s: %w", line, col, err)
			}
			setPath(fields, strings.Split(col, "."), v)
		}
		if isVariant {
			variants = append(variants, variantRow{line, fields})
			continue
		}
		products = append(products, fields)
		if code, ok := fields["code"].(string); ok {
			byCode[code] = fields
		}
	}
	for _, v := range variants {
		parent := byCode[v.fields["parent_code"].(string)]
		if parent == nil {
			return nil, fmt.Errorf("line %d: parent_code %q names no product of the file", v.line, v.fields["parent_code"])
		}
		list, _ := parent["variants"].([]any)
		parent["variants"] = append(list, v.fields)
	}
	out := make([]map[string]json.RawMessage, len(products))
	for i, p := range products {
		out[i] = map[string]json.RawMessage{}
		for k, v := range p {
			b, err := json.Marshal(v)
			if err != nil {
				return nil, err
			}
			out[i][k] = b
		}
	}
	return out, nil
}

// typed is a cell as the JSON type the platform wants: a number stays the decimal text it is
// written as (the operator sends it as that number, digit for digit, or names it if it is not
// one); a boolean must say true or false.
func typed(kind, text string) (any, error) {
	if kind != "boolean" {
		return text, nil
	}
	b, err := strconv.ParseBool(text)
	if err != nil {
		return nil, fmt.Errorf("want true or false, not %q", text)
	}
	return b, nil
}

func cell(header, row []string, col string) string {
	for i, h := range header {
		if h == col {
			return row[i]
		}
	}
	return ""
}

// setPath sets m[path[0]][path[1]]... = v, making the objects on the way.
func setPath(m map[string]any, path []string, v any) {
	for _, name := range path[:len(path)-1] {
		next, ok := m[name].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[name] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}
