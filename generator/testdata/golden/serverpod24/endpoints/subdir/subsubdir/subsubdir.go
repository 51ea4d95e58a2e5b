package subsubdir

import (
	"github.com/gopod/gopod/runtime/pod"
)

type SubSubDirTestEndpoint struct {
	pod.Endpoint
}

func (e *SubSubDirTestEndpoint) TestMethod(s *pod.Session) (string, error) {
	return "subSubDir", nil
}
