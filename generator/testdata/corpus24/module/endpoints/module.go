// Package endpoints has the endpoint of 2.4's test module.
package endpoints

import (
	"github.com/gopod/gopod/runtime/pod"

	"serverpod_test_module/generated/protocol"
)

// ModuleEndpoint is served as serverpod_test_module.module.
type ModuleEndpoint struct {
	pod.Endpoint
}

// Hello greets name.
func (e *ModuleEndpoint) Hello(s *pod.Session, name string) (string, error) {
	return "Hello " + name, nil
}

// ModifyModuleObject adds 42 to the object's data.
func (e *ModuleEndpoint) ModifyModuleObject(s *pod.Session, o protocol.ModuleClass) (protocol.ModuleClass, error) {
	o.Data += 42
	return o, nil
}
