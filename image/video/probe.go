package video

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Info is what ffprobe reports about a video, as ParseProbe reads it.
type Info struct {
	// Format is ffprobe's format name ("mov,mp4,m4a,3gp,3g2,mj2",
	// "matroska,webm").
	Format string
	// Duration is the container's duration, or its video stream's when
	// the container gives none; 0 when neither is known.
	Duration time.Duration
	// Video is the number of video streams; Codec, Width and Height are
	// the first one's.
	Video         int
	Codec         string
	Width, Height int
	// Others are the codec types ("audio", "subtitle", "data",
	// "attachment") of the streams that are not video, in order.
	Others []string
}

// probeJSON is the part of `ffprobe -print_format json -show_format
// -show_streams` that Info holds.
type probeJSON struct {
	Streams []struct {
		CodecType string `json:"codec_type"`
		CodecName string `json:"codec_name"`
		Width     int    `json:"width"`
		Height    int    `json:"height"`
		Duration  string `json:"duration"`
	} `json:"streams"`
	Format struct {
		FormatName string `json:"format_name"`
		Duration   string `json:"duration"`
	} `json:"format"`
}

// maxStreams bounds the streams a video may hold.
const maxStreams = 16

// ParseProbe reads ffprobe's JSON report of a video (see probeJSON). It
// fails on malformed JSON, a report without streams or with more than 16,
// and negative or non-numeric dimensions or durations.
func ParseProbe(data []byte) (Info, error) {
	var p probeJSON
	if err := json.Unmarshal(data, &p); err != nil {
		return Info{}, fmt.Errorf("video: ffprobe report: %w", err)
	}
	if len(p.Streams) == 0 {
		return Info{}, fmt.Errorf("video: ffprobe report: no streams")
	}
	if len(p.Streams) > maxStreams {
		return Info{}, fmt.Errorf("video: ffprobe report: %d streams, more than %d", len(p.Streams), maxStreams)
	}
	info := Info{Format: p.Format.FormatName}
	d, err := parseSeconds(p.Format.Duration)
	if err != nil {
		return Info{}, fmt.Errorf("video: ffprobe report: format duration: %w", err)
	}
	info.Duration = d
	for i, s := range p.Streams {
		if s.CodecType != "video" {
			info.Others = append(info.Others, s.CodecType)
			continue
		}
		info.Video++
		if info.Video > 1 {
			continue
		}
		if s.Width < 0 || s.Height < 0 {
			return Info{}, fmt.Errorf("video: ffprobe report: stream %d: negative size %dx%d", i, s.Width, s.Height)
		}
		info.Codec, info.Width, info.Height = s.CodecName, s.Width, s.Height
		if info.Duration == 0 {
			if info.Duration, err = parseSeconds(s.Duration); err != nil {
				return Info{}, fmt.Errorf("video: ffprobe report: stream %d duration: %w", i, err)
			}
		}
	}
	return info, nil
}

// maxSeconds bounds the durations ParseProbe accepts (a day): longer
// ones are surely wrong and would overflow time.Duration sooner or later.
const maxSeconds = 24 * 60 * 60

// parseSeconds parses ffprobe's decimal seconds ("2.000000"); "" and
// "N/A" are 0 (unknown).
func parseSeconds(s string) (time.Duration, error) {
	if s == "" || s == "N/A" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number of seconds", clip(s))
	}
	if math.IsNaN(f) || f < 0 || f > maxSeconds {
		return 0, fmt.Errorf("%q seconds is out of range", clip(s))
	}
	return time.Duration(f * float64(time.Second)), nil
}

// containers are the accepted containers by the magic sniffed, with the
// demuxer ffmpeg is made to use, the format names ffprobe must report and
// the video codecs allowed in each.
var containers = []container{
	{name: "MP4", demuxer: "mov", format: "mov,mp4,m4a,3gp,3g2,mj2", codecs: []string{"h264", "hevc", "av1", "vp9", "mpeg4"}},
	{name: "WebM", demuxer: "matroska", format: "matroska,webm", codecs: []string{"vp8", "vp9", "av1"}},
}

// container is one accepted container.
type container struct {
	name, demuxer, format string
	codecs                []string
}

// sniff returns the container head starts, by its magic bytes: an ISO
// base media file ("ftyp" box first) or an EBML header (Matroska, WebM).
func sniff(head []byte) (container, bool) {
	switch {
	case len(head) >= 8 && string(head[4:8]) == "ftyp":
		return containers[0], true
	case len(head) >= 4 && string(head[:4]) == "\x1a\x45\xdf\xa3":
		return containers[1], true
	}
	return container{}, false
}

// clip shortens s for an error message.
func clip(s string) string {
	const n = 64
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// allowedCodec reports whether c allows codec.
func (c container) allowedCodec(codec string) bool { return slices.Contains(c.codecs, codec) }
