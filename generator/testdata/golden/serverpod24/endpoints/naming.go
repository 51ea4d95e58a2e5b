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

// RawFilesEndpoint sends its ByteData results as raw bytes, as 2.4's
// sendByteDataAsRaw endpoints (the cloud storage endpoint) do.
type RawFilesEndpoint struct {
	pod.Endpoint
}

// SendByteDataAsRaw is 2.4's sendByteDataAsRaw getter.
func (e *RawFilesEndpoint) SendByteDataAsRaw() bool { return true }

// File returns the named file's bytes, null for an unknown name.
func (e *RawFilesEndpoint) File(s *pod.Session, path string) (*[]byte, error) {
	if path != "hello.txt" {
		return nil, nil
	}
	s.ResponseHeader().Set("Content-Type", "text/plain; charset=us-ascii")
	b := []byte("hello")
	return &b, nil
}
