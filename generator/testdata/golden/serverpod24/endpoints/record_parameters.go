package endpoints

import (
	"errors"

	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/wire"

	"serverpod24/generated/protocol"
)

// mixedRecord is 2.4's _MixedRecordTypeDef, (int number, {SimpleData data}):
// an alias of an anonymous struct is a record too.
type mixedRecord = struct {
	P1   int64
	Data protocol.SimpleData
}

type RecordParametersEndpoint struct {
	pod.Endpoint
}

func (e *RecordParametersEndpoint) ReturnRecordOfInt(s *pod.Session, record struct{ P1 int64 }) (struct{ P1 int64 }, error) {
	return record, nil
}

func (e *RecordParametersEndpoint) ReturnNullableRecordOfInt(s *pod.Session, record *struct{ P1 int64 }) (*struct{ P1 int64 }, error) {
	return record, nil
}

func (e *RecordParametersEndpoint) ReturnRecordOfNullableInt(s *pod.Session, record struct{ P1 *int64 }) (struct{ P1 *int64 }, error) {
	return record, nil
}

func (e *RecordParametersEndpoint) ReturnNullableRecordOfNullableInt(s *pod.Session, record *struct{ P1 *int64 }) (*struct{ P1 *int64 }, error) {
	return record, nil
}

func (e *RecordParametersEndpoint) ReturnIntStringRecord(s *pod.Session, record struct {
	P1 int64
	P2 string
}) (struct {
	P1 int64
	P2 string
}, error) {
	return record, nil
}

func (e *RecordParametersEndpoint) ReturnNullableIntStringRecord(s *pod.Session, record *struct {
	P1 int64
	P2 string
}) (*struct {
	P1 int64
	P2 string
}, error) {
	return record, nil
}

func (e *RecordParametersEndpoint) ReturnIntSimpleDataRecord(s *pod.Session, record struct {
	P1 int64
	P2 protocol.SimpleData
}) (struct {
	P1 int64
	P2 protocol.SimpleData
}, error) {
	return record, nil
}

func (e *RecordParametersEndpoint) ReturnNullableIntSimpleDataRecord(s *pod.Session, record *struct {
	P1 int64
	P2 protocol.SimpleData
}) (*struct {
	P1 int64
	P2 protocol.SimpleData
}, error) {
	return record, nil
}

func (e *RecordParametersEndpoint) ReturnNamedIntStringRecord(s *pod.Session, record struct {
	Number int64
	Text   string
}) (struct {
	Number int64
	Text   string
}, error) {
	return record, nil
}

func (e *RecordParametersEndpoint) ReturnNamedNullableIntStringRecord(s *pod.Session, record *struct {
	Number int64
	Text   string
}) (*struct {
	Number int64
	Text   string
}, error) {
	return record, nil
}

func (e *RecordParametersEndpoint) ReturnRecordOfNamedIntAndObject(s *pod.Session, record struct {
	Number int64
	Data   protocol.SimpleData
}) (struct {
	Number int64
	Data   protocol.SimpleData
}, error) {
	return record, nil
}

func (e *RecordParametersEndpoint) ReturnNullableRecordOfNamedIntAndObject(s *pod.Session, record *struct {
	Number int64
	Data   protocol.SimpleData
}) (*struct {
	Number int64
	Data   protocol.SimpleData
}, error) {
	return record, nil
}

func (e *RecordParametersEndpoint) ReturnRecordOfNamedNullableIntAndNullableObject(s *pod.Session, record struct {
	Number *int64
	Data   *protocol.SimpleData
}) (struct {
	Number *int64
	Data   *protocol.SimpleData
}, error) {
	return record, nil
}

func (e *RecordParametersEndpoint) ReturnRecordTypedef(s *pod.Session, record struct {
	P1   int64
	Data protocol.SimpleData
}) (struct {
	P1   int64
	Data protocol.SimpleData
}, error) {
	return record, nil
}

func (e *RecordParametersEndpoint) ReturnNullableRecordTypedef(s *pod.Session, record *struct {
	P1   int64
	Data protocol.SimpleData
}) (*struct {
	P1   int64
	Data protocol.SimpleData
}, error) {
	return record, nil
}

func (e *RecordParametersEndpoint) ReturnListOfIntSimpleDataRecord(s *pod.Session, recordList []struct {
	P1 int64
	P2 protocol.SimpleData
}) ([]struct {
	P1 int64
	P2 protocol.SimpleData
}, error) {
	return recordList, nil
}

func (e *RecordParametersEndpoint) ReturnListOfNullableIntSimpleDataRecord(s *pod.Session, record []*struct {
	P1 int64
	P2 protocol.SimpleData
}) ([]*struct {
	P1 int64
	P2 protocol.SimpleData
}, error) {
	return record, nil
}

func (e *RecordParametersEndpoint) ReturnSetOfIntSimpleDataRecord(s *pod.Session, recordSet wire.Set[struct {
	P1 int64
	P2 protocol.SimpleData
}]) (wire.Set[struct {
	P1 int64
	P2 protocol.SimpleData
}], error) {
	return recordSet, nil
}

func (e *RecordParametersEndpoint) ReturnSetOfNullableIntSimpleDataRecord(s *pod.Session, set wire.Set[*struct {
	P1 int64
	P2 protocol.SimpleData
}]) (wire.Set[*struct {
	P1 int64
	P2 protocol.SimpleData
}], error) {
	return set, nil
}

func (e *RecordParametersEndpoint) ReturnNullableSetOfIntSimpleDataRecord(s *pod.Session, recordSet *wire.Set[struct {
	P1 int64
	P2 protocol.SimpleData
}]) (*wire.Set[struct {
	P1 int64
	P2 protocol.SimpleData
}], error) {
	return recordSet, nil
}

func (e *RecordParametersEndpoint) ReturnStringMapOfIntSimpleDataRecord(s *pod.Session, map_ map[string]struct {
	P1 int64
	P2 protocol.SimpleData
}) (map[string]struct {
	P1 int64
	P2 protocol.SimpleData
}, error) {
	return map_, nil
}

func (e *RecordParametersEndpoint) ReturnStringMapOfNullableIntSimpleDataRecord(s *pod.Session, map_ map[string]*struct {
	P1 int64
	P2 protocol.SimpleData
}) (map[string]*struct {
	P1 int64
	P2 protocol.SimpleData
}, error) {
	return map_, nil
}

func (e *RecordParametersEndpoint) ReturnRecordMapOfIntSimpleDataRecord(s *pod.Session, map_ map[struct {
	P1 string
	P2 int64
}]struct {
	P1 int64
	P2 protocol.SimpleData
}) (map[struct {
	P1 string
	P2 int64
}]struct {
	P1 int64
	P2 protocol.SimpleData
}, error) {
	return map_, nil
}

// Returns the first and only input value mapped into the return structure (basically reversed)
func (e *RecordParametersEndpoint) ReturnStringMapOfListOfRecord(s *pod.Session, input wire.Set[[]map[string]struct{ P1 int64 }]) (map[string][]wire.Set[struct{ P1 int64 }], error) {
	// The only value, mapped into the reversed structure.
	if len(input) != 1 || len(input[0]) != 1 || len(input[0][0]) != 1 {
		return nil, errors.New("expected a single value")
	}
	for key, value := range input[0][0] {
		return map[string][]wire.Set[struct{ P1 int64 }]{key: {{value}}}, nil
	}
	return nil, nil
}

func (e *RecordParametersEndpoint) ReturnNestedNamedRecord(s *pod.Session, record struct {
	NamedSubRecord struct {
		P1 protocol.SimpleData
		P2 float64
	}
}) (struct {
	NamedSubRecord struct {
		P1 protocol.SimpleData
		P2 float64
	}
}, error) {
	return record, nil
}

func (e *RecordParametersEndpoint) ReturnNestedNullableNamedRecord(s *pod.Session, record struct {
	NamedSubRecord *struct {
		P1 protocol.SimpleData
		P2 float64
	}
}) (struct {
	NamedSubRecord *struct {
		P1 protocol.SimpleData
		P2 float64
	}
}, error) {
	return record, nil
}

func (e *RecordParametersEndpoint) ReturnNestedPositionalAndNamedRecord(s *pod.Session, record struct {
	P1 struct {
		P1 int64
		P2 string
	}
	NamedSubRecord struct {
		P1 protocol.SimpleData
		P2 float64
	}
}) (struct {
	P1 struct {
		P1 int64
		P2 string
	}
	NamedSubRecord struct {
		P1 protocol.SimpleData
		P2 float64
	}
}, error) {
	return record, nil
}

func (e *RecordParametersEndpoint) ReturnListOfNestedPositionalAndNamedRecord(s *pod.Session, recordList []struct {
	P1 struct {
		P1 int64
		P2 string
	}
	NamedSubRecord struct {
		P1 protocol.SimpleData
		P2 float64
	}
}) ([]struct {
	P1 struct {
		P1 int64
		P2 string
	}
	NamedSubRecord struct {
		P1 protocol.SimpleData
		P2 float64
	}
}, error) {
	return recordList, nil
}
