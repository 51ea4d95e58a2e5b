// Package grammar links the tree-sitter Dart grammar (github.com/UserNobody14/tree-sitter-dart,
// MIT licensed, see LICENSE) into Go. parser.c and scanner.c are the grammar's generated
// sources, kept unmodified so they can be refreshed from a newer release.
package grammar

// #cgo CFLAGS: -std=c11 -fPIC -w
// typedef struct TSLanguage TSLanguage;
// const TSLanguage *tree_sitter_dart(void);
import "C"

import "unsafe"

// Language returns the grammar's TSLanguage pointer for tree-sitter's Go bindings.
func Language() unsafe.Pointer {
	return unsafe.Pointer(C.tree_sitter_dart())
}
