package video

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle"
)

func TestParseProbe(t *testing.T) {
	tests := []struct {
		file string
		want Info
	}{
		{"probe-mp4.json", Info{Format: "mov,mp4,m4a,3gp,3g2,mj2", Duration: 2 * time.Second, Video: 1, Codec: "h264", Width: 64, Height: 48}},
		{"probe-webm-audio.json", Info{Format: "matroska,webm", Duration: 1008 * time.Millisecond, Video: 1, Codec: "vp8", Width: 64, Height: 48, Others: []string{"audio"}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseProbe(data)
			if err != nil {
				t.Fatal(err)
			}
			got.Duration = got.Duration.Round(time.Millisecond)
			if got.Format != tt.want.Format || got.Duration != tt.want.Duration || got.Video != tt.want.Video ||
				got.Codec != tt.want.Codec || got.Width != tt.want.Width || got.Height != tt.want.Height ||
				strings.Join(got.Others, ",") != strings.Join(tt.want.Others, ",") {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseProbeErrors(t *testing.T) {
	many := `{"streams":[` + strings.Repeat(`{"codec_type":"audio"},`, 16) + `{"codec_type":"audio"}]}`
	tests := []struct{ name, json, want string }{
		{"not json", `not json`, "invalid character"},
		{"no streams", `{"streams":[],"format":{}}`, "no streams"},
		{"too many streams", many, "17 streams"},
		{"negative size", `{"streams":[{"codec_type":"video","width":-1,"height":4}]}`, "negative size"},
		{"bad duration", `{"streams":[{"codec_type":"video"}],"format":{"duration":"soon"}}`, "not a number"},
		{"negative duration", `{"streams":[{"codec_type":"video"}],"format":{"duration":"-1"}}`, "out of range"},
		{"NaN duration", `{"streams":[{"codec_type":"video"}],"format":{"duration":"NaN"}}`, "out of range"},
		{"huge duration", `{"streams":[{"codec_type":"video"}],"format":{"duration":"1e300"}}`, "out of range"},
		{"bad stream duration", `{"streams":[{"codec_type":"video","duration":"x"}],"format":{}}`, "stream 0 duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseProbe([]byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	e := New(Config{})
	mp4, webm := containers[0], containers[1]
	ok := Info{Format: mp4.format, Duration: time.Second, Video: 1, Codec: "h264", Width: 64, Height: 48}
	tests := []struct {
		name        string
		c           container
		edit        func(*Info)
		code        string
		unsupported bool
	}{
		{"ok", mp4, func(*Info) {}, "", false},
		{"ok with audio and data", mp4, func(i *Info) { i.Others = []string{"audio", "data"} }, "", false},
		{"webm", webm, func(i *Info) { i.Format, i.Codec = webm.format, "vp9" }, "", false},
		{"format mismatch", mp4, func(i *Info) { i.Format = "hls" }, aisle.EINVALID, true},
		{"two videos", mp4, func(i *Info) { i.Video = 2 }, aisle.EINVALID, true},
		{"codec", mp4, func(i *Info) { i.Codec = "prores" }, aisle.EINVALID, true},
		{"subtitles", mp4, func(i *Info) { i.Others = []string{"subtitle"} }, aisle.EINVALID, true},
		{"attachment", webm, func(i *Info) { i.Format, i.Codec, i.Others = webm.format, "vp8", []string{"attachment"} }, aisle.EINVALID, true},
		{"no size", mp4, func(i *Info) { i.Width = 0 }, aisle.EUNPROCESSABLE, false},
		{"too wide", mp4, func(i *Info) { i.Width = 5000 }, aisle.EUNPROCESSABLE, false},
		{"no duration", mp4, func(i *Info) { i.Duration = 0 }, aisle.EUNPROCESSABLE, false},
		{"too long", mp4, func(i *Info) { i.Duration = time.Hour }, aisle.EUNPROCESSABLE, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := ok
			tt.edit(&info)
			err := e.check(tt.c, info)
			if got := aisle.ErrorCode(err); got != tt.code {
				t.Errorf("code %q, want %q (%v)", got, tt.code, err)
			}
			if got := errors.Is(err, ErrUnsupported); got != tt.unsupported {
				t.Errorf("errors.Is(ErrUnsupported) = %v, want %v", got, tt.unsupported)
			}
		})
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		head string
		want string
	}{
		{"\x00\x00\x00\x20ftypisom", "MP4"},
		{"\x1a\x45\xdf\xa3\x01", "WebM"},
		{"#EXTM3U\n", ""},
		{"ffconcat version 1.0", ""},
		{"\x00\x00\x00", ""},
		{"", ""},
	}
	for _, tt := range tests {
		c, ok := sniff([]byte(tt.head))
		if ok != (tt.want != "") || c.name != tt.want {
			t.Errorf("sniff(%q) = %q, %v; want %q", tt.head, c.name, ok, tt.want)
		}
	}
}

// FuzzParseProbe checks that no report makes ParseProbe panic, and that
// what it accepts is within its bounds.
func FuzzParseProbe(f *testing.F) {
	for _, name := range []string{"probe-mp4.json", "probe-webm-audio.json"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"streams":[{"codec_type":"video","duration":"1e308"}],"format":{"duration":"N/A"}}`))
	f.Add([]byte(`{"streams":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := ParseProbe(data)
		if err != nil {
			return
		}
		if info.Duration < 0 || info.Duration > maxSeconds*time.Second {
			t.Errorf("duration %s out of range", info.Duration)
		}
		if info.Width < 0 || info.Height < 0 {
			t.Errorf("negative size %dx%d", info.Width, info.Height)
		}
		if info.Video+len(info.Others) > maxStreams || info.Video+len(info.Others) == 0 {
			t.Errorf("%d streams", info.Video+len(info.Others))
		}
		// check must not panic on anything ParseProbe accepts.
		_ = New(Config{}).check(containers[0], info)
	})
}
