package video

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle"
)

// needFFmpeg skips t when ffmpeg or ffprobe is not installed.
func needFFmpeg(t testing.TB) {
	t.Helper()
	for _, p := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s is not installed (Debian package ffmpeg, make deps): %v", p, err)
		}
	}
}

// makeVideo has ffmpeg write a video of 1 s of red then secs-1 s of blue,
// 64×48, into a file named name (its extension picks mp4 or webm), with
// extra arguments before the output, and returns its bytes.
func makeVideo(t testing.TB, name string, secs int, extra ...string) []byte {
	t.Helper()
	needFFmpeg(t)
	out := filepath.Join(t.TempDir(), name)
	args := []string{"-v", "error", "-y",
		"-f", "lavfi", "-i", "color=c=red:s=64x48:r=25:d=1",
		"-f", "lavfi", "-i", "color=c=blue:s=64x48:r=25:d=" + strconv.Itoa(secs-1),
		"-filter_complex", "[0][1]concat=n=2:v=1"}
	if strings.HasSuffix(name, ".webm") {
		args = append(args, "-c:v", "libvpx", "-b:v", "200k")
	} else {
		args = append(args, "-c:v", "libx264", "-pix_fmt", "yuv420p")
	}
	args = append(args, extra...)
	args = append(args, out)
	if b, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// centre returns a PNG frame's centre pixel as 8-bit RGB.
func centre(t *testing.T, data []byte) [3]uint8 {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("frame is not a PNG: %v", err)
	}
	b := img.Bounds()
	r, g, bl, _ := img.At((b.Min.X+b.Max.X)/2, (b.Min.Y+b.Max.Y)/2).RGBA()
	return [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8)}
}

func TestKeyframesRedThenBlue(t *testing.T) {
	for _, name := range []string{"clip.mp4", "clip.webm"} {
		t.Run(name, func(t *testing.T) {
			data := makeVideo(t, name, 2)
			tmp := t.TempDir()
			frames, err := New(Config{TempDir: tmp}).Keyframes(t.Context(), bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if len(frames) != DefaultMaxFrames {
				t.Fatalf("got %d frames, want %d", len(frames), DefaultMaxFrames)
			}
			for k, f := range frames {
				c := centre(t, f.PNG)
				red, blue := c[0] > 200 && c[2] < 60, c[2] > 200 && c[0] < 60
				if wantRed := f.At < time.Second; wantRed && !red || !wantRed && !blue {
					t.Errorf("frame %d at %s has centre %v, want %s", k, f.At, c, map[bool]string{true: "red", false: "blue"}[wantRed])
				}
				if k > 0 && f.At <= frames[k-1].At {
					t.Errorf("frame %d at %s is not after frame %d at %s", k, f.At, k-1, frames[k-1].At)
				}
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("temporary files left behind: %v", left)
			}
		})
	}
}

func TestKeyframesReducesLargeFrames(t *testing.T) {
	needFFmpeg(t)
	out := filepath.Join(t.TempDir(), "big.mp4")
	if b, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=green:s=640x360:d=1", "-c:v", "libx264", "-pix_fmt", "yuv420p", out).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, b)
	}
	data, _ := os.ReadFile(out)
	frames, err := New(Config{FrameSide: 100, MaxFrames: 2}).Keyframes(t.Context(), bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 2 {
		t.Fatalf("got %d frames, want 2", len(frames))
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(frames[0].PNG))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width != 100 || cfg.Height > 57 || cfg.Height < 55 {
		t.Errorf("frame is %d×%d, want 100×56 (640×360 reduced to 100 a side)", cfg.Width, cfg.Height)
	}
}

func TestKeyframesRefused(t *testing.T) {
	needFFmpeg(t)
	mp4 := makeVideo(t, "ok.mp4", 2)
	corrupt := append([]byte(nil), mp4[:64]...)
	corrupt = append(corrupt, bytes.Repeat([]byte{0xff}, 4096)...)
	audioOnly := filepath.Join(t.TempDir(), "audio.mp4")
	if b, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac", audioOnly).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, b)
	}
	audio, _ := os.ReadFile(audioOnly)
	mkv := makeVideo(t, "h264.mkv", 2) // Matroska holding H.264: not WebM
	playlist := []byte("#EXTM3U\n#EXTINF:1,\nfile:/etc/passwd\n")
	png1 := func() []byte {
		var buf bytes.Buffer
		png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4)))
		return buf.Bytes()
	}()
	tests := []struct {
		name        string
		cfg         Config
		data        []byte
		code        string
		unsupported bool
		message     string
	}{
		{"empty", Config{}, nil, aisle.EINVALID, true, "empty"},
		{"text named .mp4", Config{}, []byte("this is not a video, just text saved as clip.mp4\n"), aisle.EINVALID, true, "not a video"},
		{"playlist", Config{}, playlist, aisle.EINVALID, true, "not a video"},
		{"photo", Config{}, png1, aisle.EINVALID, true, "not a video"},
		{"audio only", Config{}, audio, aisle.EINVALID, true, "no video stream"},
		{"h264 in matroska", Config{}, mkv, aisle.EINVALID, true, `codec "h264" is not accepted`},
		{"corrupt", Config{}, corrupt, aisle.EUNPROCESSABLE, false, "could not be"},
		{"too long", Config{MaxDuration: time.Second}, mp4, aisle.EUNPROCESSABLE, false, "over the limit of 1s"},
		{"too large frames", Config{MaxSide: 32}, mp4, aisle.EUNPROCESSABLE, false, "64×48, over the limit of 32"},
		{"too many bytes", Config{MaxBytes: 1000}, mp4, aisle.ETOOLARGE, false, "larger than the limit of 1000 bytes"},
		{"too slow", Config{Timeout: time.Nanosecond}, mp4, aisle.EUNPROCESSABLE, false, "took longer than 1ns"},
		{"no ffmpeg", Config{FFmpeg: filepath.Join(t.TempDir(), "missing", "ffmpeg")}, mp4, aisle.EUNAVAILABLE, false, "need ffmpeg"},
		{"no ffprobe", Config{FFprobe: "/nonexistent/ffprobe"}, mp4, aisle.EUNAVAILABLE, false, `"ffprobe" was not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.TempDir = t.TempDir()
			frames, err := New(tt.cfg).Keyframes(t.Context(), bytes.NewReader(tt.data))
			if err == nil {
				t.Fatalf("got %d frames, want an error", len(frames))
			}
			t.Logf("%s: %s", aisle.ErrorCode(err), aisle.ErrorMessage(err))
			if got := aisle.ErrorCode(err); got != tt.code {
				t.Errorf("code %q, want %q (%v)", got, tt.code, err)
			}
			if got := errors.Is(err, ErrUnsupported); got != tt.unsupported {
				t.Errorf("errors.Is(ErrUnsupported) = %v, want %v (%v)", got, tt.unsupported, err)
			}
			if msg := aisle.ErrorMessage(err); !strings.Contains(msg, tt.message) {
				t.Errorf("message %q does not say %q", msg, tt.message)
			}
			if msg := aisle.ErrorMessage(err); strings.Contains(msg, tt.cfg.TempDir) {
				t.Errorf("message %q names the temporary folder", msg)
			}
			if left, _ := os.ReadDir(tt.cfg.TempDir); len(left) != 0 {
				t.Errorf("temporary files left behind: %v", left)
			}
		})
	}
}

func TestKeyframesCancelled(t *testing.T) {
	mp4 := makeVideo(t, "ok.mp4", 2)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := New(Config{}).Keyframes(ctx, bytes.NewReader(mp4))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestConfigDefaults(t *testing.T) {
	tests := []struct {
		name            string
		cfg             Config
		ffmpeg, ffprobe string
		frames          int
	}{
		{"zero", Config{}, "ffmpeg", "ffprobe", DefaultMaxFrames},
		{"ffmpeg in PATH", Config{FFmpeg: "ffmpeg6"}, "ffmpeg6", "ffprobe", DefaultMaxFrames},
		{"ffprobe beside ffmpeg", Config{FFmpeg: "/opt/ff/bin/ffmpeg"}, "/opt/ff/bin/ffmpeg", "/opt/ff/bin/ffprobe", DefaultMaxFrames},
		{"both named", Config{FFmpeg: "/a/ffmpeg", FFprobe: "/b/ffprobe"}, "/a/ffmpeg", "/b/ffprobe", DefaultMaxFrames},
		{"frames capped", Config{MaxFrames: 1000}, "ffmpeg", "ffprobe", MaxFrames},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cfg.withDefaults()
			if c.FFmpeg != tt.ffmpeg || c.FFprobe != tt.ffprobe || c.MaxFrames != tt.frames {
				t.Errorf("got %q %q %d frames, want %q %q %d", c.FFmpeg, c.FFprobe, c.MaxFrames, tt.ffmpeg, tt.ffprobe, tt.frames)
			}
			if c.MaxBytes != DefaultMaxBytes || c.MaxDuration != DefaultMaxDuration || c.Timeout != DefaultTimeout {
				t.Errorf("limits %+v", c)
			}
		})
	}
}

// failingReader fails after its data.
type failingReader struct{ data []byte }

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, errors.New("connection reset by peer")
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestKeyframesUploadFails(t *testing.T) {
	needFFmpeg(t)
	tmp := t.TempDir()
	_, err := New(Config{TempDir: tmp}).Keyframes(t.Context(), &failingReader{data: []byte("\x00\x00\x00\x20ftypisom")})
	if aisle.ErrorCode(err) != aisle.EINVALID || !strings.Contains(aisle.ErrorMessage(err), "could not read the video: connection reset") {
		t.Errorf("got %v, want EINVALID saying the upload failed", err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}
