package flipsnack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// The product object of products.create and products.update, as documented
// (developers.flipsnack.com, products/create and products/update): "Payloads must follow a
// predefined JSON schema". Every field of a product the operator sends goes through
// NormalizeProduct, which holds it to this schema: only these names, each with this JSON type.
// The simulator enforces the same schema independently (pkg/simulator/flipsnack).

// jsonKind is a JSON type of the schema.
type jsonKind int

const (
	kindString jsonKind = iota
	kindNumber
	kindBool
	kindObject
	kindObjectArray
)

func (k jsonKind) String() string {
	return [...]string{"a string", "a number", "a boolean", "an object", "an array of objects"}[k]
}

// schemaField is one documented field: its JSON type and, for an object or an array of
// objects, the fields of that object.
type schemaField struct {
	kind   jsonKind
	fields map[string]schemaField
}

var (
	str = schemaField{kind: kindString}
	num = schemaField{kind: kindNumber}
	boo = schemaField{kind: kindBool}
)

func object(fields map[string]schemaField) schemaField {
	return schemaField{kind: kindObject, fields: fields}
}

// productSchema is the documented product object. "type string (required), code string
// (required), title, description, image_link strings, sell_price number, currency string,
// discount_price number, quantity boolean, purchasable_qty {min number, max number},
// attribute {name1, options1, name2, options2, name3, options3} strings, image_attribute
// string, shop_element string, area_element {tooltip string, color string, opacity number},
// shop_button {color, label, label_color} strings, website {button boolean, button_label
// string, link string}, customizable_product {product boolean, instructions string, flat_fee
// number, per_character number, character_length number, mandatory boolean}, variants[]
// {code, parent_code, image_link string, visible boolean, attribute {options1, options2,
// options3} strings, price number, discount_price number}" (products/create, products/update).
var productSchema = map[string]schemaField{
	"type":            str,
	"code":            str,
	"title":           str,
	"description":     str,
	"image_link":      str,
	"sell_price":      num,
	"currency":        str,
	"discount_price":  num,
	"quantity":        boo,
	"purchasable_qty": object(map[string]schemaField{"min": num, "max": num}),
	"attribute": object(map[string]schemaField{
		"name1": str, "options1": str, "name2": str, "options2": str, "name3": str, "options3": str,
	}),
	"image_attribute": str,
	"shop_element":    str,
	"area_element":    object(map[string]schemaField{"tooltip": str, "color": str, "opacity": num}),
	"shop_button":     object(map[string]schemaField{"color": str, "label": str, "label_color": str}),
	"website":         object(map[string]schemaField{"button": boo, "button_label": str, "link": str}),
	"customizable_product": object(map[string]schemaField{
		"product": boo, "instructions": str, "flat_fee": num, "per_character": num,
		"character_length": num, "mandatory": boo,
	}),
	"variants": {kind: kindObjectArray, fields: map[string]schemaField{
		"code": str, "parent_code": str, "image_link": str, "visible": boo,
		"attribute": object(map[string]schemaField{"options1": str, "options2": str, "options3": str}),
		"price":     num, "discount_price": num,
	}},
}

// decimalText is a number written as a string ("19.99", "-1", "0.5"): what a ConfigMap written
// for Kubernetes (where amounts are strings) may hold for a number field.
var decimalText = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// NormalizeProduct holds one product to the documented schema and returns it with every value
// of the documented JSON type, ready to send:
//
//   - a field the schema does not have, at any depth, is refused;
//   - type and code are required non-empty strings; a variant needs a code, and its
//     parent_code, when given, must be the product's code (variants are nested in their
//     parent product); when left out it is set to the product's code;
//   - a number field takes a JSON number, or a string holding a decimal number ("19.99"),
//     which becomes that JSON number with exactly its digits (no float64 round trip);
//   - a boolean field takes only true or false; a string field only a string;
//   - null, at the top level, means "not set" and is dropped.
//
// Every problem is listed, by path ("variants[1].price: want a number").
func NormalizeProduct(fields map[string]json.RawMessage) (map[string]json.RawMessage, error) {
	var problems []string
	out := make(map[string]json.RawMessage, len(fields))
	for _, name := range sortedNames(fields) {
		raw := bytes.TrimSpace(fields[name])
		if string(raw) == "null" {
			continue
		}
		f, known := productSchema[name]
		if !known {
			problems = append(problems, fmt.Sprintf("%s: not a field of the platform's product", name))
			continue
		}
		v, errs := normalizeValue(name, f, raw)
		problems = append(problems, errs...)
		if len(errs) == 0 {
			out[name] = v
		}
	}
	code := stringOf(out["code"])
	for _, name := range []string{"type", "code"} {
		if _, bad := fields[name]; bad && out[name] == nil {
			continue // already reported
		}
		if stringOf(out[name]) == "" {
			problems = append(problems, name+": required, a non-empty string")
		}
	}
	if v, ok := out["variants"]; ok && code != "" {
		fixed, errs := parentCodes(v, code)
		problems = append(problems, errs...)
		out["variants"] = fixed
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return out, nil
}

// normalizeValue checks one value against its schema field; path names it in problems.
func normalizeValue(path string, f schemaField, raw json.RawMessage) (json.RawMessage, []string) {
	want := func() []string { return []string{fmt.Sprintf("%s: want %s", path, f.kind)} }
	if len(raw) == 0 {
		return nil, want()
	}
	switch f.kind {
	case kindString:
		if raw[0] != '"' {
			return nil, want()
		}
		return raw, nil
	case kindBool:
		if string(raw) != "true" && string(raw) != "false" {
			return nil, want()
		}
		return raw, nil
	case kindNumber:
		if raw[0] == '"' {
			var s string
			if json.Unmarshal(raw, &s) != nil || !decimalText.MatchString(s) {
				return nil, []string{fmt.Sprintf("%s: want a number (or a string holding a decimal number such as \"19.99\")", path)}
			}
			return json.RawMessage(s), nil
		}
		var n json.Number
		if raw[0] == '{' || raw[0] == '[' || json.Unmarshal(raw, &n) != nil {
			return nil, want()
		}
		return json.RawMessage(n.String()), nil
	case kindObject:
		var obj map[string]json.RawMessage
		if raw[0] != '{' || json.Unmarshal(raw, &obj) != nil {
			return nil, want()
		}
		return normalizeObject(path, f.fields, obj)
	case kindObjectArray:
		var items []json.RawMessage
		if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
			return nil, want()
		}
		var problems []string
		out := make([]json.RawMessage, len(items))
		for i, item := range items {
			item = bytes.TrimSpace(item)
			var obj map[string]json.RawMessage
			if len(item) == 0 || item[0] != '{' || json.Unmarshal(item, &obj) != nil {
				problems = append(problems, fmt.Sprintf("%s[%d]: want an object", path, i))
				continue
			}
			v, errs := normalizeObject(fmt.Sprintf("%s[%d]", path, i), f.fields, obj)
			problems = append(problems, errs...)
			out[i] = v
		}
		if len(problems) > 0 {
			return nil, problems
		}
		b, _ := json.Marshal(out)
		return b, nil
	}
	return nil, want()
}

func normalizeObject(path string, schema map[string]schemaField, obj map[string]json.RawMessage) (json.RawMessage, []string) {
	var problems []string
	out := make(map[string]json.RawMessage, len(obj))
	for _, name := range sortedNames(obj) {
		f, known := schema[name]
		if !known {
			problems = append(problems, fmt.Sprintf("%s.%s: not a field of the platform's product", path, name))
			continue
		}
		v, errs := normalizeValue(path+"."+name, f, bytes.TrimSpace(obj[name]))
		problems = append(problems, errs...)
		out[name] = v
	}
	if len(problems) > 0 {
		return nil, problems
	}
	b, _ := json.Marshal(out)
	return b, nil
}

// parentCodes sets every variant's parent_code to the product's code, refusing one that names
// another product: the documentation nests variants in their parent product.
func parentCodes(raw json.RawMessage, code string) (json.RawMessage, []string) {
	var variants []map[string]json.RawMessage
	if json.Unmarshal(raw, &variants) != nil {
		return raw, nil // already reported
	}
	var problems []string
	parent, _ := json.Marshal(code)
	for i, v := range variants {
		if stringOf(v["code"]) == "" {
			problems = append(problems, fmt.Sprintf("variants[%d].code: required, a non-empty string", i))
		}
		if p, given := v["parent_code"]; given && stringOf(p) != code {
			problems = append(problems, fmt.Sprintf("variants[%d].parent_code: %s is not the product's code %q (variants are nested in their parent product)", i, p, code))
		}
		v["parent_code"] = parent
	}
	b, _ := json.Marshal(variants)
	return b, problems
}

// stringOf is a JSON string's value, or "" for anything else.
func stringOf(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

func sortedNames(m map[string]json.RawMessage) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// ScalarKind is the JSON type the schema gives the field at path: a top-level name
// ("sell_price"), a nested one ("attribute", "name1"), or a variant's ("variants", "price").
// It is "string", "number" or "boolean"; ok is false for an object, an array of objects or
// a name the schema does not have. It lets a flat format (a CSV column) be typed as the
// platform wants it.
func ScalarKind(path ...string) (kind string, ok bool) {
	fields := productSchema
	for i, name := range path {
		f, known := fields[name]
		if !known {
			return "", false
		}
		if i == len(path)-1 {
			switch f.kind {
			case kindString:
				return "string", true
			case kindNumber:
				return "number", true
			case kindBool:
				return "boolean", true
			}
			return "", false
		}
		fields = f.fields
	}
	return "", false
}
