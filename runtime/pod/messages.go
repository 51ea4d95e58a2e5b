package pod

import (
	"iter"

	"github.com/gopod/gopod/runtime/messages"
)

// This file is Serverpod's session.messages: models posted on named
// channels, to the listeners of this server or, when global, of every
// server sharing its Redis. A chat room is a channel:
//
//	func (e *ChatEndpoint) Say(s *pod.Session, room string, m protocol.ChatMessage) error {
//		return s.PostMessage("chat:"+room, &m, true)
//	}
//
//	func (e *ChatEndpoint) Listen(s *pod.Session, room string) iter.Seq2[*protocol.ChatMessage, error] {
//		return pod.CreateStream[protocol.ChatMessage](s, "chat:"+room)
//	}

// SubscriberBuffer is how many messages a CreateStream stream holds for a
// reader that falls behind before it ends with messages.ErrSlowSubscriber.
const SubscriberBuffer = 256

// PostMessage posts m on channel: this server's listeners receive it at
// once and, when global, every server's through Redis (without Redis,
// global messages stay on this server). An error means the message did
// not reach Redis; local listeners have it regardless.
func (s *Session) PostMessage(channel string, m any, global bool) error {
	return s.server.messages.PostModel(s, channel, m, global)
}

// AddListener calls fn with each T posted on channel until the session
// ends or remove is called; a message of another class reaches fn as an
// error (messages.ErrWrongClass). fn runs on the goroutine that delivers
// the message and must not block.
func AddListener[T any](s *Session, channel string, fn func(m *T, err error)) (remove func()) {
	return messages.ListenModel[T](s, s.server.messages, channel, fn)
}

// CreateStream returns the Ts posted on channel from the moment the range
// over it starts, until the session ends (for a streaming method, until
// its stream closes). A message of another class ends it with
// messages.ErrWrongClass, and a reader more than SubscriberBuffer
// messages behind with messages.ErrSlowSubscriber. A streaming method can
// return it as its output.
func CreateStream[T any](s *Session, channel string) iter.Seq2[*T, error] {
	return messages.Subscribe[T](s, s.server.messages, channel, SubscriberBuffer)
}
