package e2e

import (
	"testing"

	"github.com/bridge-project/bridge/internal/harness"
	"github.com/bridge-project/bridge/internal/testutil"
)

func TestMain(m *testing.M) { harness.Main(m) }

var appendFile = testutil.AppendFile

var copyFile = testutil.CopyFile
