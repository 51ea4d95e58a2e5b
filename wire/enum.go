package wire

import "fmt"

// The helpers below hold the logic of generated enums, which keep only
// their names table, String and Parse; their declaration (see Declare)
// gives package wire the rest.

// EnumName returns names[i], the name of an enum value, or typeName(i)
// for a value outside the enum.
func EnumName(names []string, i int, typeName string) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("%s(%d)", typeName, i)
}

// ParseEnum returns the index of the value named s.
func ParseEnum(names []string, s, typeName string) (int, error) {
	for i, n := range names {
		if n == s {
			return i, nil
		}
	}
	return 0, fmt.Errorf(`Value "%s" cannot be converted to "%s"`, s, typeName)
}

// decodeEnum reads an enum value, by its name when byName is set and by
// its index otherwise, and returns its index: the decoder of declared
// enums (see enumCodec).
func decodeEnum(v any, names []string, byName bool, typeName string) (int, error) {
	if byName {
		s, err := DecodeString(v)
		if err != nil {
			return 0, err
		}
		return ParseEnum(names, s, typeName)
	}
	i, err := DecodeInt(v)
	if err != nil {
		return 0, err
	}
	if i < 0 || i >= int64(len(names)) {
		return 0, fmt.Errorf(`Value "%d" cannot be converted to "%s"`, i, typeName)
	}
	return int(i), nil
}
