package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gopod/gopod/modules/auth/internal/avatar"
	"github.com/gopod/gopod/modules/auth/protocol"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/pod"
)

// imagePath is where 2.4 stores version v of a user's image.
func imagePath(userID, version int64, ext string) string {
	return fmt.Sprintf("serverpod/user_images/%d-%d.%s", userID, version, ext)
}

// setDefaultUserImage draws the user's default image and makes it theirs.
func (m *Module) setDefaultUserImage(s *pod.Session, user *protocol.UserInfo) error {
	var data []byte
	var err error
	if gen := m.cfg.UserImageGenerator; gen != nil {
		img, gerr := gen(s, user)
		if gerr != nil {
			return fmt.Errorf("userImageGenerator: %w", gerr)
		}
		data, err = avatar.Fit(img, m.cfg.UserImageSize, m.format, m.cfg.UserImageQuality)
	} else {
		name := ""
		if user.UserName != nil {
			name = *user.UserName
		}
		data, err = avatar.Default(*user.ID, name, m.cfg.UserImageSize, m.format, m.cfg.UserImageQuality)
	}
	if err != nil {
		return err
	}
	return m.storeUserImage(s, *user.ID, data)
}

// imageDecoder is avatar.Decoder, which tests wrap.
type imageDecoder interface {
	Normalize(ctx context.Context, imageBytes []byte, size int, format avatar.Format, quality int) ([]byte, error)
}

// maxConcurrentDecodes is how many uploaded images one server decodes at
// once: with avatar.DefaultLimits' 64 MiB budget per image, uploads take
// at most 128 MiB together.
const maxConcurrentDecodes = 2

// setUserImage normalises an uploaded image (a square of UserImageSize in
// UserImageFormat) and makes it the user's. It reports false for bytes
// that are not a PNG, JPEG or GIF image, are too large (in bytes, pixels
// or decoded bytes), or while another upload of the same user is being
// processed on this server: the user's turn is taken before anything is
// decoded, so one user cannot hold several decodes.
func (m *Module) setUserImage(s *pod.Session, userID int64, data []byte) (bool, error) {
	if !m.uploads.tryLock(userID) {
		return false, nil
	}
	defer m.uploads.unlock(userID)
	norm, err := m.decoder.Normalize(s, data, m.cfg.UserImageSize, m.format, m.cfg.UserImageQuality)
	if errors.Is(err, avatar.ErrUnsupported) || errors.Is(err, avatar.ErrTooLarge) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, m.storeUserImage(s, userID, norm)
}

// storeUserImage stores data as the next version of the user's image,
// points the user at its public URL and deletes the earlier versions
// (2.4 kept every image a user ever had, removed ones included).
func (m *Module) storeUserImage(s *pod.Session, userID int64, data []byte) error {
	err := db.Transaction(s, func(tx *db.Tx) error {
		q := tx.Querier()
		// Locking the user serialises uploads: 2.4 raced on the version.
		if err := q.QueryRow(tx, `SELECT "id" FROM "serverpod_user_info" WHERE "id" = $1 FOR UPDATE`, userID).Scan(new(int64)); err != nil {
			return db.Wrap(err)
		}
		rows, err := q.Query(tx, `SELECT "version" FROM "serverpod_user_image" WHERE "userId" = $1`, userID)
		if err != nil {
			return err
		}
		old, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		version := int64(1)
		for _, v := range old {
			version = max(version, v+1)
		}
		store := m.publicStorage(s)
		path := imagePath(userID, version, m.format.Ext())
		if err := store.Store(tx, path, data, time.Time{}); err != nil {
			return err
		}
		u, err := store.PublicURL(tx, path)
		if err != nil {
			return fmt.Errorf("public URL of %s: %w", path, err)
		}
		if _, err := q.Exec(tx, `INSERT INTO "serverpod_user_image" ("userId", "version", "url") VALUES ($1, $2, $3)`, userID, version, u); err != nil {
			return err
		}
		if _, err := q.Exec(tx, `UPDATE "serverpod_user_info" SET "imageUrl" = $2 WHERE "id" = $1`, userID, u); err != nil {
			return err
		}
		for _, v := range old {
			for _, ext := range []string{avatar.JPEG.Ext(), avatar.PNG.Ext()} {
				if err := store.Delete(tx, imagePath(userID, v, ext)); err != nil {
					return err
				}
			}
		}
		_, err = q.Exec(tx, `DELETE FROM "serverpod_user_image" WHERE "userId" = $1 AND "version" < $2`, userID, version)
		return err
	})
	if err != nil {
		return fmt.Errorf("storing the image of user %d: %w", userID, err)
	}
	return m.userUpdated(s, userID)
}

// importUserImage downloads an image (a Google profile photo) and makes it
// the user's. The download is bounded in time and size.
func (m *Module) importUserImage(s *pod.Session, userID int64, imageURL string) error {
	u, err := url.Parse(imageURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("image URL %q is not an http(s) URL", imageURL)
	}
	req, err := http.NewRequestWithContext(s, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	resp, err := m.http.Do(req)
	if err != nil {
		return fmt.Errorf("downloading the user image: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("downloading the user image: %s", resp.Status)
	}
	limit := int64(avatar.DefaultLimits.MaxBytes)
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return fmt.Errorf("downloading the user image: %w", err)
	}
	if int64(len(data)) > limit {
		return fmt.Errorf("the user image at %s is larger than %d bytes", imageURL, limit)
	}
	ok, err := m.setUserImage(s, userID, data)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("the user image at %s is not a usable image", imageURL)
	}
	return nil
}

// userLocks are try-locks per user id.
type userLocks struct {
	mu   sync.Mutex
	held map[int64]bool
}

func (l *userLocks) tryLock(id int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held[id] {
		return false
	}
	if l.held == nil {
		l.held = map[int64]bool{}
	}
	l.held[id] = true
	return true
}

func (l *userLocks) unlock(id int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.held, id)
}
