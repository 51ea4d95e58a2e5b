package endpoints

import (
	"iter"

	"github.com/gopod/gopod/runtime/pod"
)

type MethodSignaturePermutationsEndpoint struct {
	pod.Endpoint
}

func (e *MethodSignaturePermutationsEndpoint) EchoPositionalArg(s *pod.Session, string_ string) (string, error) {
	return string_, nil
}

// EchoNamedArgParams holds the named parameters of EchoNamedArg.
type EchoNamedArgParams struct {
	pod.Named
	String string
}

func (e *MethodSignaturePermutationsEndpoint) EchoNamedArg(s *pod.Session, p EchoNamedArgParams) (string, error) {
	return p.String, nil
}

// EchoNullableNamedArgParams holds the named parameters of EchoNullableNamedArg.
type EchoNullableNamedArgParams struct {
	pod.Named
	String *string
}

func (e *MethodSignaturePermutationsEndpoint) EchoNullableNamedArg(s *pod.Session, p EchoNullableNamedArgParams) (*string, error) {
	return p.String, nil
}

// EchoOptionalArgParams holds the optional parameters of EchoOptionalArg.
type EchoOptionalArgParams struct {
	pod.Optional
	String *string
}

func (e *MethodSignaturePermutationsEndpoint) EchoOptionalArg(s *pod.Session, p EchoOptionalArgParams) (*string, error) {
	return p.String, nil
}

// EchoPositionalAndNamedArgsParams holds the named parameters of EchoPositionalAndNamedArgs.
type EchoPositionalAndNamedArgsParams struct {
	pod.Named
	String2 string
}

func (e *MethodSignaturePermutationsEndpoint) EchoPositionalAndNamedArgs(s *pod.Session, string1 string, p EchoPositionalAndNamedArgsParams) ([]*string, error) {
	return []*string{&string1, &p.String2}, nil
}

// EchoPositionalAndNullableNamedArgsParams holds the named parameters of EchoPositionalAndNullableNamedArgs.
type EchoPositionalAndNullableNamedArgsParams struct {
	pod.Named
	String2 *string
}

func (e *MethodSignaturePermutationsEndpoint) EchoPositionalAndNullableNamedArgs(s *pod.Session, string1 string, p EchoPositionalAndNullableNamedArgsParams) ([]*string, error) {
	return []*string{&string1, p.String2}, nil
}

// EchoPositionalAndOptionalArgsParams holds the optional parameters of EchoPositionalAndOptionalArgs.
type EchoPositionalAndOptionalArgsParams struct {
	pod.Optional
	String2 *string
}

func (e *MethodSignaturePermutationsEndpoint) EchoPositionalAndOptionalArgs(s *pod.Session, string1 string, p EchoPositionalAndOptionalArgsParams) ([]*string, error) {
	return []*string{&string1, p.String2}, nil
}

// EchoNamedArgStreamParams holds the named parameters of EchoNamedArgStream.
type EchoNamedArgStreamParams struct {
	pod.Named
	Strings iter.Seq2[string, error]
}

func (e *MethodSignaturePermutationsEndpoint) EchoNamedArgStream(s *pod.Session, p EchoNamedArgStreamParams) iter.Seq2[string, error] {
	return p.Strings
}

// EchoNamedArgStreamAsFutureParams holds the named parameters of EchoNamedArgStreamAsFuture.
type EchoNamedArgStreamAsFutureParams struct {
	pod.Named
	Strings iter.Seq2[string, error]
}

func (e *MethodSignaturePermutationsEndpoint) EchoNamedArgStreamAsFuture(s *pod.Session, p EchoNamedArgStreamAsFutureParams) (string, error) {
	return first(p.Strings)
}

func (e *MethodSignaturePermutationsEndpoint) EchoPositionalArgStream(s *pod.Session, strings iter.Seq2[string, error]) iter.Seq2[string, error] {
	return strings
}

func (e *MethodSignaturePermutationsEndpoint) EchoPositionalArgStreamAsFuture(s *pod.Session, strings iter.Seq2[string, error]) (string, error) {
	return first(strings)
}
