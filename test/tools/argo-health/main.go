// argo-health runs an Argo CD resource health check (Lua) the way Argo CD's controller does
// (argo-cd util/lua: gopher-lua, a VM without the standard libraries except package, base and
// table, the object as the global `obj` decoded from JSON, a 1 s budget, the returned table read
// as {status, message}, and a status outside Argo's six codes turned into Unknown).
//
// Usage: argo-health <script.lua> < objects.json
// stdin: a JSON array of objects; stdout: a JSON array, one {"status","message"} or {"error"} each.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	lua "github.com/yuin/gopher-lua"
)

type result struct {
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
}

var validStatus = map[string]bool{"Healthy": true, "Progressing": true, "Degraded": true, "Suspended": true, "Missing": true, "Unknown": true}

// decode turns a JSON value into a Lua value as Argo CD's decodeValue does: arrays become
// sequences (1-based), objects tables keyed by string, null nil.
func decode(L *lua.LState, v any) lua.LValue {
	switch c := v.(type) {
	case bool:
		return lua.LBool(c)
	case float64:
		return lua.LNumber(c)
	case string:
		return lua.LString(c)
	case []any:
		t := L.CreateTable(len(c), 0)
		for _, item := range c {
			t.Append(decode(L, item))
		}
		return t
	case map[string]any:
		t := L.CreateTable(0, len(c))
		for k, item := range c {
			t.RawSetH(lua.LString(k), decode(L, item))
		}
		return t
	}
	return lua.LNil
}

func run(script string, obj any) (res result) {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{{lua.LoadLibName, lua.OpenPackage}, {lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}} {
		if err := L.CallByParam(lua.P{Fn: L.NewFunction(lib.open), NRet: 0, Protect: true}, lua.LString(lib.name)); err != nil {
			return result{Error: err.Error()}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	L.SetContext(ctx)
	L.SetGlobal("obj", decode(L, obj))
	if err := L.DoString(script); err != nil {
		return result{Error: err.Error()}
	}
	ret := L.Get(-1)
	t, ok := ret.(*lua.LTable)
	if !ok {
		return result{Error: fmt.Sprintf("expect table output from Lua script, not %s", ret.Type())}
	}
	status, _ := L.GetField(t, "status").(lua.LString)
	message, _ := L.GetField(t, "message").(lua.LString)
	if !validStatus[string(status)] {
		return result{Status: "Unknown", Message: "Lua returned an invalid health status"}
	}
	return result{Status: string(status), Message: string(message)}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: argo-health <script.lua> < objects.json")
		os.Exit(2)
	}
	script, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var objects []any
	if err := json.NewDecoder(os.Stdin).Decode(&objects); err != nil {
		fmt.Fprintln(os.Stderr, "stdin: ", err)
		os.Exit(1)
	}
	out := make([]result, 0, len(objects))
	for _, o := range objects {
		out = append(out, run(string(script), o))
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
