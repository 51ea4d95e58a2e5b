package subdir

import (
	"github.com/gopod/gopod/runtime/pod"
)

type SubDirTestEndpoint struct {
	pod.Endpoint
}

func (e *SubDirTestEndpoint) TestMethod(s *pod.Session) (string, error) {
	return "subDir", nil
}
