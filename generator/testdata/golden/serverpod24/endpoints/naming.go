package endpoints

import "github.com/gopod/gopod/runtime/pod"

// HTTPTestEndpoint starts with an initialism; like 2.4, gopod lower-cases
// only its first letter: hTTPTest.
type HTTPTestEndpoint struct {
	pod.Endpoint
}

// Echo returns value.
func (e *HTTPTestEndpoint) Echo(s *pod.Session, value string) (string, error) {
	return value, nil
}

// WireNamesEndpoint answers as renamed: its wire names are set explicitly.
//
//gopod:name renamed
type WireNamesEndpoint struct {
	pod.Endpoint
}

// Pong is called as renamed.ping, with its parameter m sent as map.
//
//gopod:name ping
//gopod:param m map
func (e *WireNamesEndpoint) Pong(s *pod.Session, m map[string]int64) (map[string]int64, error) {
	return m, nil
}
