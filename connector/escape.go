package connector

import "github.com/bridge-project/bridge/internal/connectvalue"

// hex4 parses the four hex digits of a \uXXXX escape at the start of s, or returns -1: a
// .properties file spells the escape as JSON does.
func hex4(s []byte) rune { return connectvalue.Hex4(s) }
