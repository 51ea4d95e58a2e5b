// Package wire implements Serverpod 2.4's JSON wire format: the exact bytes
// a Serverpod server and client exchange for every type of the model
// language, type-tagged values, and the registry that decodes them by class
// name.
//
// It depends only on the standard library, so that Go clients of a gopod
// server can use it without pulling in the server or a database driver.
//
// Encoding writes JSON directly into a byte buffer. Decoding works on the
// tree that Parse produces (nil, bool, json.Number, string, []any,
// map[string]any); decoders have the shape func(any) (T, error) and
// combine, so endpoint code can describe any nesting such as
// Map<String, List<int?>>.
//
// Generated models are plain structs whose fields carry their wire names
// in struct tags, and a generated package declares its classes and enums
// in one table (Declare). EncodeModel, DecodeModel, EncodeValueOf and
// DecodeInto work from a plan built once per type (see plan.go), so that
// a project's generated package is declarations, which the Go compiler
// handles quickly.
package wire
