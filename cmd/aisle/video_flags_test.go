package main

import (
	"flag"
	"io"
	"testing"
	"time"

	"github.com/aislehq/aisle/image/video"
)

func TestVideoFlags(t *testing.T) {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	bindVideo(fs, &cfg)
	if cfg.Video.FFmpeg != "ffmpeg" || cfg.Video.MaxBytes != video.DefaultMaxBytes || cfg.Video.MaxDuration != video.DefaultMaxDuration || cfg.Video.MaxFrames != video.DefaultMaxFrames {
		t.Fatalf("defaults %+v", cfg.Video)
	}
	if got := fs.Lookup("video-max-bytes").DefValue; got != "100MiB" {
		t.Errorf("-video-max-bytes default shown as %q", got)
	}
	if err := fs.Parse([]string{"-ffmpeg", "/opt/ff/ffmpeg", "-video-max-bytes", "20MiB", "-video-max-duration", "30s", "-video-frames", "4"}); err != nil {
		t.Fatal(err)
	}
	if cfg.Video.FFmpeg != "/opt/ff/ffmpeg" || cfg.Video.MaxBytes != 20<<20 || cfg.Video.MaxDuration != 30*time.Second || cfg.Video.MaxFrames != 4 {
		t.Errorf("parsed %+v", cfg.Video)
	}
	if err := fs.Set("video-max-bytes", "lots"); err == nil {
		t.Error("-video-max-bytes lots accepted")
	}
}
