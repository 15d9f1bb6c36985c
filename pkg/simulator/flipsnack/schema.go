package flipsnack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// The product object, as the products/create and products/update pages document it:
// "Payloads must follow a predefined JSON schema". Written here from the documentation alone,
// apart from the client's copy, so that a misreading in either shows up in a test.
//
//	type string (required), code string (required), title, description, image_link strings,
//	sell_price number, currency string, discount_price number, quantity boolean,
//	purchasable_qty {min number, max number}, attribute {name1, options1, name2, options2,
//	name3, options3} strings, image_attribute string, shop_element string,
//	area_element {tooltip string, color string, opacity number}, shop_button {color, label,
//	label_color} strings, website {button boolean, button_label string, link string},
//	customizable_product {product boolean, instructions string, flat_fee number,
//	per_character number, character_length number, mandatory boolean},
//	variants[] {code, parent_code, image_link string, visible boolean,
//	attribute {options1, options2, options3} strings, price number, discount_price number}
//
// A payload that breaks it is invalid data: code 40, listing every offending field.

type valueType string

const (
	tString  valueType = "a string"
	tNumber  valueType = "a number"
	tBoolean valueType = "a boolean"
	tObject  valueType = "an object"
	tArray   valueType = "an array"
)

type schemaNode struct {
	typ    valueType
	fields map[string]schemaNode // of an object, or of each object of an array
}

func leaf(t valueType) schemaNode { return schemaNode{typ: t} }

func obj(fields map[string]schemaNode) schemaNode { return schemaNode{typ: tObject, fields: fields} }

var documentedProduct = map[string]schemaNode{
	"type":            leaf(tString),
	"code":            leaf(tString),
	"title":           leaf(tString),
	"description":     leaf(tString),
	"image_link":      leaf(tString),
	"sell_price":      leaf(tNumber),
	"currency":        leaf(tString),
	"discount_price":  leaf(tNumber),
	"quantity":        leaf(tBoolean),
	"purchasable_qty": obj(map[string]schemaNode{"min": leaf(tNumber), "max": leaf(tNumber)}),
	"attribute": obj(map[string]schemaNode{
		"name1": leaf(tString), "options1": leaf(tString),
		"name2": leaf(tString), "options2": leaf(tString),
		"name3": leaf(tString), "options3": leaf(tString),
	}),
	"image_attribute": leaf(tString),
	"shop_element":    leaf(tString),
	"area_element":    obj(map[string]schemaNode{"tooltip": leaf(tString), "color": leaf(tString), "opacity": leaf(tNumber)}),
	"shop_button":     obj(map[string]schemaNode{"color": leaf(tString), "label": leaf(tString), "label_color": leaf(tString)}),
	"website":         obj(map[string]schemaNode{"button": leaf(tBoolean), "button_label": leaf(tString), "link": leaf(tString)}),
	"customizable_product": obj(map[string]schemaNode{
		"product": leaf(tBoolean), "instructions": leaf(tString), "flat_fee": leaf(tNumber),
		"per_character": leaf(tNumber), "character_length": leaf(tNumber), "mandatory": leaf(tBoolean),
	}),
	"variants": {typ: tArray, fields: map[string]schemaNode{
		"code": leaf(tString), "parent_code": leaf(tString), "image_link": leaf(tString),
		"visible":   leaf(tBoolean),
		"attribute": obj(map[string]schemaNode{"options1": leaf(tString), "options2": leaf(tString), "options3": leaf(tString)}),
		"price":     leaf(tNumber), "discount_price": leaf(tNumber),
	}},
}

// schemaProblems checks one product of a products parameter (at index i) against the
// documented object: unknown fields and wrong JSON types at any depth, and, on a create, the
// required type and code. An update sends partial products: only code is required there, and
// null (decided here, unverified on the real platform: null clears a field) is accepted for
// any other field.
func schemaProblems(i int, fields map[string]json.RawMessage, create bool) []string {
	at := fmt.Sprintf("products[%d]", i)
	var problems []string
	for _, name := range sortedFieldNames(fields) {
		raw := bytes.TrimSpace(fields[name])
		node, known := documentedProduct[name]
		switch {
		case !known:
			problems = append(problems, fmt.Sprintf("%s.%s: unknown field", at, name))
		case string(raw) == "null" && !create && name != "code" && name != "type":
			// clears the field
		default:
			problems = append(problems, checkValue(at+"."+name, node, raw)...)
		}
	}
	required := []string{"code"}
	if create {
		required = []string{"type", "code"}
	}
	for _, name := range required {
		if _, ok := fields[name]; !ok {
			problems = append(problems, fmt.Sprintf("%s.%s: required", at, name))
		}
	}
	return problems
}

func checkValue(path string, node schemaNode, raw json.RawMessage) []string {
	if got := jsonTypeOf(raw); got != node.typ {
		return []string{fmt.Sprintf("%s: want %s", path, node.typ)}
	}
	switch node.typ {
	case tObject:
		var m map[string]json.RawMessage
		_ = json.Unmarshal(raw, &m)
		return checkObject(path, node.fields, m)
	case tArray:
		var items []json.RawMessage
		_ = json.Unmarshal(raw, &items)
		var problems []string
		for j, item := range items {
			p := fmt.Sprintf("%s[%d]", path, j)
			var m map[string]json.RawMessage
			if jsonTypeOf(item) != tObject || json.Unmarshal(item, &m) != nil {
				problems = append(problems, p+": want an object")
				continue
			}
			problems = append(problems, checkObject(p, node.fields, m)...)
		}
		return problems
	}
	return nil
}

func checkObject(path string, fields map[string]schemaNode, m map[string]json.RawMessage) []string {
	var problems []string
	for _, name := range sortedFieldNames(m) {
		node, known := fields[name]
		if !known {
			problems = append(problems, fmt.Sprintf("%s.%s: unknown field", path, name))
			continue
		}
		problems = append(problems, checkValue(path+"."+name, node, bytes.TrimSpace(m[name]))...)
	}
	return problems
}

// jsonTypeOf names the JSON type of a value; "" for null.
func jsonTypeOf(raw json.RawMessage) valueType {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		return tString
	case '{':
		return tObject
	case '[':
		return tArray
	case 't', 'f':
		return tBoolean
	case 'n':
		return ""
	}
	return tNumber
}

func sortedFieldNames(m map[string]json.RawMessage) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
