// yaml2json reads manifests the way `kubectl apply -f` does and prints the JSON kubectl would
// send, so that the render tests can compare our reader with the real one, row by row.
//
// Per file, as kubectl's resource builder (cli-runtime FileVisitor + StreamVisitor) reads it:
// apimachinery's YAMLOrJSONDecoder, which reads a stream starting with `{` as JSON first and
// otherwise splits it at `---` lines (YAMLReader) and converts each document with
// sigs.k8s.io/yaml (go-yaml v2, then encoding/json, as yaml.YAMLToJSON). A file with a UTF-16
// byte order mark is decoded first, as kubectl's reader does. kubectl's reader also replaces
// invalid UTF-8 with U+FFFD; that step is left out on purpose: render refuses such files, and
// go-yaml itself reports them, which is what the tests compare.
//
// Input (stdin): a JSON array of base64 strings, one per file (base64 so that rows can hold any
// bytes). Output (stdout): a JSON array, one entry per file:
//
//	{"docs": [<value>...], "error": "..."}
//
// with the documents decoded before the first error (kubectl stops there) and empty documents
// as null (kubectl skips them). One process serves a whole table: start-up costs more than the
// conversions.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

type file struct {
	Docs  []json.RawMessage `json:"docs"`
	Error string            `json:"error,omitempty"`
}

func convert(input []byte) file {
	out := file{Docs: []json.RawMessage{}}
	var r io.Reader = bytes.NewReader(input)
	if bytes.HasPrefix(input, []byte{0xff, 0xfe}) || bytes.HasPrefix(input, []byte{0xfe, 0xff}) {
		r = transform.NewReader(r, unicode.BOMOverride(unicode.UTF8.NewDecoder()))
	}
	decoder := utilyaml.NewYAMLOrJSONDecoder(r, 4096)
	for {
		var raw json.RawMessage
		err := decoder.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			out.Error = err.Error()
			return out
		}
		out.Docs = append(out.Docs, raw)
	}
}

func main() {
	var inputs [][]byte // encoding/json decodes base64 strings into []byte
	if err := json.NewDecoder(os.Stdin).Decode(&inputs); err != nil {
		fmt.Fprintf(os.Stderr, "yaml2json: stdin must be a JSON array of base64 strings: %v\n", err)
		os.Exit(2)
	}
	results := make([]file, len(inputs))
	for i, in := range inputs {
		results[i] = convert(in)
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		fmt.Fprintf(os.Stderr, "yaml2json: %v\n", err)
		os.Exit(1)
	}
}
