package controllers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// argoHealth is what an Argo CD health script returns: hs.status and hs.message.
type argoHealth struct {
	Status  string
	Message string
}

// argoHealthStatuses are the statuses Argo CD accepts from a script; any other becomes Unknown.
var argoHealthStatuses = map[string]bool{
	"Healthy": true, "Progressing": true, "Degraded": true, "Suspended": true, "Missing": true, "Unknown": true,
}

// runArgoHealthScript runs a health script the way Argo CD runs one from argocd-cm: a Lua
// state with only the package, base and table libraries (useOpenLibs is off by default, so
// there is no string library), a one-second limit, and the live object as the global table
// obj. A script that fails, returns no table or an unknown status is an error here, where
// Argo CD would show the resource as Unknown.
func runArgoHealthScript(script string, obj *unstructured.Unstructured) (argoHealth, error) {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
	} {
		if err := L.CallByParam(lua.P{Fn: L.NewFunction(lib.open), NRet: 0, Protect: true}, lua.LString(lib.name)); err != nil {
			return argoHealth{}, fmt.Errorf("opening Lua library %q: %w", lib.name, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	L.SetContext(ctx)
	L.SetGlobal("obj", luaValue(L, obj.Object))
	if err := L.DoString(script); err != nil {
		return argoHealth{}, fmt.Errorf("health script: %w", err)
	}
	table, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		return argoHealth{}, fmt.Errorf("health script returned %s, not a table", L.Get(-1).Type())
	}
	h := argoHealth{
		Status:  lua.LVAsString(table.RawGetString("status")),
		Message: lua.LVAsString(table.RawGetString("message")),
	}
	if !argoHealthStatuses[h.Status] {
		return h, fmt.Errorf("health script returned status %q, which Argo CD does not know", h.Status)
	}
	return h, nil
}

// luaValue converts an unstructured object's values to Lua values as Argo CD does: objects
// become tables keyed by field name, arrays become sequences, every number a Lua number.
func luaValue(L *lua.LState, value any) lua.LValue {
	switch v := value.(type) {
	case bool:
		return lua.LBool(v)
	case string:
		return lua.LString(v)
	case json.Number:
		return lua.LString(v)
	case float64:
		return lua.LNumber(v)
	case int:
		return lua.LNumber(v)
	case int32:
		return lua.LNumber(v)
	case int64:
		return lua.LNumber(v)
	case []any:
		arr := L.CreateTable(len(v), 0)
		for _, item := range v {
			arr.Append(luaValue(L, item))
		}
		return arr
	case map[string]any:
		tbl := L.CreateTable(0, len(v))
		for key, item := range v {
			tbl.RawSetH(lua.LString(key), luaValue(L, item))
		}
		return tbl
	}
	return lua.LNil
}
