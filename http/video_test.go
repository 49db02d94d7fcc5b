package http

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/photo"
	"github.com/aislehq/aisle/image/video"
	"github.com/aislehq/aisle/image/visual"
	"github.com/aislehq/aisle/store/imagestore"
	"github.com/google/go-cmp/cmp"
)

// photoReader serves photos over the env's store with the fake image
// model, as enablePhotos does, and returns the reader.
func (e *testEnv) photoReader() *visual.Reader {
	originals := imagestore.New(filepath.Join(e.t.TempDir(), "images"))
	r := visual.New(tintEncoder{}, "image:tint", visual.Deps{Fetch: &photo.Fetcher{Originals: originals}, Originals: originals, Store: e.db}, visual.Config{}, nil)
	e.srv.SetPhotos(r, originals)
	return r
}

// enableVideos serves videos with ffmpeg, within cfg, into the env's photo
// reader; it skips t when ffmpeg is not installed.
func (e *testEnv) enableVideos(t *testing.T, cfg video.Config) {
	needFFmpeg(t)
	cfg.TempDir = t.TempDir()
	e.srv.SetVideos(video.NewUploader(video.New(cfg), e.photoReader()))
}

// needFFmpeg skips t when ffmpeg or ffprobe is not installed.
func needFFmpeg(t *testing.T) {
	t.Helper()
	for _, p := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s is not installed (Debian package ffmpeg, make deps): %v", p, err)
		}
	}
}

// redThenBlue has ffmpeg make a 2 s video, 1 s red then 1 s blue, named
// name (mp4 or webm), and returns its bytes.
func redThenBlue(t *testing.T, name string) []byte {
	t.Helper()
	needFFmpeg(t)
	out := filepath.Join(t.TempDir(), name)
	codec := []string{"-c:v", "libx264", "-pix_fmt", "yuv420p"}
	if strings.HasSuffix(name, ".webm") {
		codec = []string{"-c:v", "libvpx", "-b:v", "200k"}
	}
	args := append([]string{"-v", "error",
		"-f", "lavfi", "-i", "color=c=red:s=80x60:r=25:d=1",
		"-f", "lavfi", "-i", "color=c=blue:s=80x60:r=25:d=1",
		"-filter_complex", "[0][1]concat=n=2:v=1"}, codec...)
	if b, err := exec.Command("ffmpeg", append(args, out)...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestVideoRouteUnavailable(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	if d := apiError(t, e.expect(http.StatusServiceUnavailable, "PUT", "/v1/items/pen-1/video", []byte("x"), "Content-Type", "video/mp4")); !strings.Contains(d.Message, "videos are not enabled") {
		t.Errorf("message %q", d.Message)
	}
	// ffmpeg missing: 503 naming it, before the body is read.
	e.srv.SetVideos(video.NewUploader(video.New(video.Config{FFmpeg: filepath.Join(t.TempDir(), "no", "ffmpeg")}), e.photoReader()))
	before := e.snapshot()
	d := apiError(t, e.expect(http.StatusServiceUnavailable, "PUT", "/v1/items/pen-1/video", []byte("\x00\x00\x00\x20ftypisom"), "Content-Type", "video/mp4"))
	if !strings.Contains(d.Message, "ffmpeg") || !strings.Contains(d.Message, "Debian package") {
		t.Errorf("message %q does not say ffmpeg is missing and how to install it", d.Message)
	}
	if diff := cmp.Diff(e.snapshot(), before); diff != "" {
		t.Errorf("store changed:\n%s", diff)
	}
}

func TestUploadVideo(t *testing.T) {
	for _, name := range []string{"clip.mp4", "clip.webm"} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.seed()
			e.enableVideos(t, video.Config{})
			ct := "video/" + strings.TrimPrefix(filepath.Ext(name), ".")
			it := decodeJSON[aisle.Item](t, e.expect(http.StatusOK, "PUT", "/v1/items/pen-1/video", redThenBlue(t, name), "Content-Type", ct).body)
			v := it.Visual
			if len(it.Images) == 0 || !strings.HasPrefix(it.Images[0], aisle.UploadRefPrefix) || v == nil || v.Ref != it.Images[0] {
				t.Fatalf("images %v visual %+v: the keyframe is not the first image", it.Images, v)
			}
			if len(v.Colors) != 2 || !slices.Contains(v.Colors, "red") || !slices.Contains(v.Colors, "blue") {
				t.Errorf("colours %v, want red and blue (half the frames each)", v.Colors)
			}
			if v.Format != "png" || v.Width != 80 || v.Height != 60 || len(v.Labels) == 0 {
				t.Errorf("visual %+v", v)
			}
			if got := e.rec.Requests(); !slices.Contains(got, "items pen-1") {
				t.Errorf("recommender not told of the new photo: %v", got)
			}
			got := decodeJSON[aisle.Item](t, e.expect(http.StatusOK, "GET", "/v1/items/pen-1", nil).body)
			if got.Visual == nil || got.Visual.Image != v.Image || !slices.Equal(got.Visual.Colors, v.Colors) {
				t.Errorf("stored visual %+v", got.Visual)
			}
			for _, c := range []string{"red", "blue"} {
				list := decodeJSON[listResponse[aisle.Item]](t, e.expect(http.StatusOK, "GET", "/v1/items?color="+c, nil).body)
				if !slices.ContainsFunc(list.Items, func(it aisle.Item) bool { return it.ID == "pen-1" }) {
					t.Errorf("color=%s does not list the pen whose video is red then blue", c)
				}
			}
			// The kept keyframe is served as the item's photo.
			if resp := e.expect(http.StatusOK, "GET", "/v1/items/pen-1/image", nil); resp.header.Get("Content-Type") != "image/png" {
				t.Errorf("keyframe served as %q", resp.header.Get("Content-Type"))
			}
		})
	}
}

func TestUploadVideoErrors(t *testing.T) {
	needFFmpeg(t)
	mp4 := redThenBlue(t, "ok.mp4")
	corrupt := append(slices.Clone(mp4[:64]), bytes.Repeat([]byte{0xee}, 2048)...)
	tests := []struct {
		name   string
		cfg    video.Config
		path   string
		ct     string
		body   []byte
		status int
		msg    string
	}{
		{"text named .mp4", video.Config{}, "/v1/items/pen-1/video", "video/mp4", []byte("just some text in a file called clip.mp4\n"), http.StatusUnsupportedMediaType, "not a video"},
		{"empty", video.Config{}, "/v1/items/pen-1/video", "video/mp4", []byte{}, http.StatusUnsupportedMediaType, "empty"},
		{"photo content type", video.Config{}, "/v1/items/pen-1/video", "image/png", mp4, http.StatusUnsupportedMediaType, "video/mp4"},
		{"corrupt", video.Config{}, "/v1/items/pen-1/video", "video/mp4", corrupt, http.StatusUnprocessableEntity, "could not be decoded"},
		{"too long", video.Config{MaxDuration: time.Second}, "/v1/items/pen-1/video", "video/mp4", mp4, http.StatusUnprocessableEntity, "2s long, over the limit of 1s"},
		{"too large", video.Config{MaxBytes: 1024}, "/v1/items/pen-1/video", "video/mp4", mp4, http.StatusRequestEntityTooLarge, "limit of 1024 bytes"},
		{"unknown item", video.Config{}, "/v1/items/nope/video", "video/mp4", mp4, http.StatusNotFound, "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.seed()
			before := e.snapshot()
			e.enableVideos(t, tt.cfg)
			d := apiError(t, e.expect(tt.status, "PUT", tt.path, tt.body, "Content-Type", tt.ct))
			if !strings.Contains(d.Message, tt.msg) {
				t.Errorf("message %q does not say %q", d.Message, tt.msg)
			}
			if diff := cmp.Diff(e.snapshot(), before); diff != "" {
				t.Errorf("a refused video changed the store (-got +want):\n%s", diff)
			}
		})
	}
}

// pngVideos is a fake video service whose "video" is a PNG, its one
// keyframe, for the OpenAPI test on machines without ffmpeg.
type pngVideos struct{ r *visual.Reader }

func (v pngVideos) MaxBytes() int64  { return 1 << 20 }
func (v pngVideos) Available() error { return nil }

func (v pngVideos) UploadVideo(ctx context.Context, id string, r io.Reader) (aisle.Item, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return aisle.Item{}, err
	}
	if !bytes.HasPrefix(data, []byte("\x89PNG")) {
		return aisle.Item{}, errors.Join(aisle.Errorf(aisle.EINVALID, "not a video"), video.ErrUnsupported)
	}
	return v.r.UploadFrames(ctx, id, [][]byte{data})
}
