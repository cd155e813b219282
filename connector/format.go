package connector

import "github.com/bridge-project/bridge/internal/connectvalue"

// Format is how a line becomes a record value, as Connect's value.converter would. It is
// connectvalue's Format, named here as os names fs.FileMode, so that a Config can be filled
// without reaching for the codec.
type Format = connectvalue.Format

// The formats, as ParseFormat names them.
const (
	FormatJSONSchema = connectvalue.FormatJSONSchema // JsonConverter, schemas.enable=true (Connect's default)
	FormatJSON       = connectvalue.FormatJSON       // JsonConverter, schemas.enable=false
	FormatString     = connectvalue.FormatString     // StringConverter
)

// ParseFormat returns the Format named s: "json-schema", "json" or "string".
func ParseFormat(s string) (Format, error) { return connectvalue.ParseFormat(s) }
