package wire

// Transitional: what code generated before declarations calls. Removed
// once every generated package in the repository is generated again.

// Model is a type with its own class name and encoder.
type Model interface {
	Encodable
	ClassName() string
}

// MarshalStruct encodes m with all its fields.
func MarshalStruct(m any) ([]byte, error) { return MarshalModel(m) }

// UnmarshalStruct parses b into m.
func UnmarshalStruct(b []byte, m any) error { return UnmarshalModel(b, m) }

// MarshalValue encodes v with all its fields.
func MarshalValue(v Encodable) ([]byte, error) { return MarshalModel(v) }

// UnmarshalValue parses b into v.
func UnmarshalValue(b []byte, v Decodable) error { return UnmarshalModel(b, v) }

// EncodeValue writes v through its own encoder.
func EncodeValue[T Encodable](e *Encoder, v T) { v.EncodeJSON(e) }
