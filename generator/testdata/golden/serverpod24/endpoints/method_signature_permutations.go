package endpoints

import (
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

// echoNamedArgStream is a streaming method in 2.4 (not ported).

// echoNamedArgStreamAsFuture is a streaming method in 2.4 (not ported).

// echoPositionalArgStream is a streaming method in 2.4 (not ported).

// echoPositionalArgStreamAsFuture is a streaming method in 2.4 (not ported).
