package video

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkKeyframes720p extracts 8 keyframes from a 10 s 1280×720 H.264
// clip at 30 fps (ffmpeg's testsrc2 pattern): probe, decode and PNG
// frames, as one upload does. Results in docs/BENCHMARKS.md.
func BenchmarkKeyframes720p(b *testing.B) {
	for _, name := range []string{"clip.mp4", "clip.webm"} {
		b.Run(name, func(b *testing.B) {
			needFFmpeg(b)
			out := filepath.Join(b.TempDir(), name)
			codec := []string{"-c:v", "libx264", "-pix_fmt", "yuv420p"}
			if filepath.Ext(name) == ".webm" {
				codec = []string{"-c:v", "libvpx-vp9", "-b:v", "1M", "-deadline", "realtime", "-cpu-used", "8"}
			}
			args := append([]string{"-v", "error", "-f", "lavfi", "-i", "testsrc2=s=1280x720:r=30:d=10"}, codec...)
			if out, err := exec.Command("ffmpeg", append(args, out)...).CombinedOutput(); err != nil {
				b.Fatalf("ffmpeg: %v\n%s", err, out)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				b.Fatal(err)
			}
			ex := New(Config{TempDir: b.TempDir()})
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				frames, err := ex.Keyframes(b.Context(), bytes.NewReader(data))
				if err != nil || len(frames) != DefaultMaxFrames {
					b.Fatalf("%d frames, %v", len(frames), err)
				}
			}
		})
	}
}
