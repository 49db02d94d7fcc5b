package video

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aislehq/aisle"
)

// ErrUnsupported is in the chain of the errors about an upload that is
// not a video in an accepted container and codec (an HTTP server answers
// them 415); they are *aisle.Error with code EINVALID too. Its method
// UnsupportedMedia lets a caller find it with errors.As without
// importing this package.
var ErrUnsupported error = unsupportedError{}

// unsupportedError is ErrUnsupported's type.
type unsupportedError struct{}

func (unsupportedError) Error() string          { return "video: unsupported media" }
func (unsupportedError) UnsupportedMedia() bool { return true }

// Defaults of Config.
const (
	DefaultMaxBytes    = 100 << 20
	DefaultMaxDuration = 2 * time.Minute
	DefaultMaxFrames   = 8
	DefaultMaxSide     = 4096
	DefaultFrameSide   = 1024
	DefaultTimeout     = 30 * time.Second
)

// MaxFrames bounds Config.MaxFrames, as many frames as the photo reader
// combines (visual.MaxFrames).
const MaxFrames = 32

// maxFrameBytes bounds one frame ffmpeg writes: a PNG of at most
// DefaultFrameSide² pixels is far smaller.
const maxFrameBytes = 32 << 20

// maxReportBytes bounds ffprobe's report and the error text kept from
// either tool.
const maxReportBytes = 1 << 20

// Config bounds the videos accepted. Zero fields take their defaults.
type Config struct {
	// FFmpeg and FFprobe are the programs run (default "ffmpeg" and
	// "ffprobe", looked up in PATH; the Debian package ffmpeg has both).
	// When FFmpeg is a path and FFprobe is empty, ffprobe is looked up in
	// the same folder.
	FFmpeg, FFprobe string
	// MaxBytes is the largest video accepted (default 100 MiB).
	MaxBytes int64
	// MaxDuration is the longest video accepted (default 2 minutes).
	MaxDuration time.Duration
	// MaxFrames is how many evenly spaced frames are extracted (default 8,
	// at most MaxFrames).
	MaxFrames int
	// MaxSide bounds the video's width and height (default 4096).
	MaxSide int
	// FrameSide is the longer side frames larger than it are reduced to
	// (default 1024, as the photo reader's).
	FrameSide int
	// Timeout bounds probing and extracting together (default 30s).
	Timeout time.Duration
	// TempDir is where the temporary files go (default os.TempDir()).
	TempDir string
}

func (c Config) withDefaults() Config {
	if c.FFmpeg == "" {
		c.FFmpeg = "ffmpeg"
	}
	if c.FFprobe == "" {
		c.FFprobe = "ffprobe"
		if strings.ContainsRune(c.FFmpeg, filepath.Separator) {
			c.FFprobe = filepath.Join(filepath.Dir(c.FFmpeg), "ffprobe")
		}
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.MaxDuration <= 0 {
		c.MaxDuration = DefaultMaxDuration
	}
	if c.MaxFrames <= 0 {
		c.MaxFrames = DefaultMaxFrames
	}
	c.MaxFrames = min(c.MaxFrames, MaxFrames)
	if c.MaxSide <= 0 {
		c.MaxSide = DefaultMaxSide
	}
	if c.FrameSide <= 0 {
		c.FrameSide = DefaultFrameSide
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}

// Extractor extracts keyframes from videos. It is safe for concurrent
// use; each call runs ffprobe and ffmpeg once.
type Extractor struct {
	cfg Config
}

// New returns an Extractor bounded by cfg. It does no I/O: a missing
// ffmpeg is found when a video is sent (Available).
func New(cfg Config) *Extractor { return &Extractor{cfg: cfg.withDefaults()} }

// MaxBytes returns the largest video accepted.
func (e *Extractor) MaxBytes() int64 { return e.cfg.MaxBytes }

// Available reports, as EUNAVAILABLE, when ffmpeg or ffprobe cannot be
// found.
func (e *Extractor) Available() error {
	for _, p := range []string{e.cfg.FFmpeg, e.cfg.FFprobe} {
		if _, err := exec.LookPath(p); err != nil {
			return errors.Join(aisle.Errorf(aisle.EUNAVAILABLE, "video uploads need ffmpeg and ffprobe, and %q was not found: install the Debian package ffmpeg (make deps) or set -ffmpeg", filepath.Base(p)), err)
		}
	}
	return nil
}

// Frame is one extracted keyframe.
type Frame struct {
	// At is the frame's time from the video's start.
	At time.Duration
	// PNG is the frame, encoded, at most Config.FrameSide a side.
	PNG []byte
}

// Keyframes reads a video from r and returns up to Config.MaxFrames
// evenly spaced frames, in order. Errors are *aisle.Error: EUNAVAILABLE
// without ffmpeg; ETOOLARGE over Config.MaxBytes; EINVALID with
// ErrUnsupported for an upload that is not an MP4 or WebM holding one
// video stream in an accepted codec; EUNPROCESSABLE for a video that is
// too long or too large a frame, cannot be decoded, or takes longer than
// Config.Timeout. The temporary files are removed before it returns.
func (e *Extractor) Keyframes(ctx context.Context, r io.Reader) ([]Frame, error) {
	if err := e.Available(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(e.cfg.TempDir, "aisle-video-")
	if err != nil {
		return nil, fmt.Errorf("video: temporary folder: %w", err)
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in")
	c, err := e.save(r, in)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, e.cfg.Timeout, errTimeout)
	defer cancel()
	info, err := e.probe(ctx, c, in)
	if err != nil {
		return nil, e.timedOut(ctx, err)
	}
	if err := e.check(c, info); err != nil {
		return nil, err
	}
	out := filepath.Join(dir, "frames")
	if err := os.Mkdir(out, 0o700); err != nil {
		return nil, fmt.Errorf("video: frames folder: %w", err)
	}
	frames, err := e.extract(ctx, c, info, in, out)
	if err != nil {
		return nil, e.timedOut(ctx, err)
	}
	return frames, nil
}

// save copies at most Config.MaxBytes of r to path, and returns the
// container its first bytes name.
func (e *Extractor) save(r io.Reader, path string) (container, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return container{}, fmt.Errorf("video: temporary file: %w", err)
	}
	src := &readRecorder{r: io.LimitReader(r, e.cfg.MaxBytes+1)}
	n, err := io.Copy(f, src)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	switch {
	case src.err != nil: // the client's upload failed
		return container{}, errors.Join(aisle.Errorf(aisle.EINVALID, "could not read the video: %s", clip(src.err.Error())), src.err)
	case err != nil: // the disk
		return container{}, fmt.Errorf("video: temporary file: %w", err)
	}
	if n > e.cfg.MaxBytes {
		return container{}, aisle.Errorf(aisle.ETOOLARGE, "video is larger than the limit of %d bytes", e.cfg.MaxBytes)
	}
	if n == 0 {
		return container{}, errors.Join(aisle.Errorf(aisle.EINVALID, "video is empty: send an MP4 or WebM"), ErrUnsupported)
	}
	head := make([]byte, 16)
	f, err = os.Open(path)
	if err != nil {
		return container{}, fmt.Errorf("video: temporary file: %w", err)
	}
	k, _ := io.ReadFull(f, head)
	f.Close()
	c, ok := sniff(head[:k])
	if !ok {
		return container{}, errors.Join(aisle.Errorf(aisle.EINVALID, "not a video: send an MP4 or WebM (the upload starts with neither's header)"), ErrUnsupported)
	}
	return c, nil
}

// probe runs ffprobe on the video at path, made to read it as c.
func (e *Extractor) probe(ctx context.Context, c container, path string) (Info, error) {
	out, err := e.run(ctx, e.cfg.FFprobe, path,
		"-v", "error", "-hide_banner", "-protocol_whitelist", "file",
		"-f", c.demuxer, "-print_format", "json", "-show_format", "-show_streams", "-i", "file:"+path)
	if err != nil {
		return Info{}, err
	}
	info, err := ParseProbe(out)
	if err != nil {
		return Info{}, errors.Join(aisle.Errorf(aisle.EUNPROCESSABLE, "the %s could not be read: ffprobe found no usable streams", c.name), err)
	}
	return info, nil
}

// check refuses a video info says is not one stream of an accepted codec
// within the limits.
func (e *Extractor) check(c container, info Info) error {
	unsupported := func(format string, args ...any) error {
		return errors.Join(aisle.Errorf(aisle.EINVALID, format, args...), ErrUnsupported)
	}
	switch {
	case info.Format != c.format:
		return unsupported("not a video: the upload looks like %s but is %q", c.name, clip(info.Format))
	case info.Video == 0:
		return unsupported("not a video: the %s has no video stream", c.name)
	case info.Video > 1:
		return unsupported("the %s has %d video streams: send one", c.name, info.Video)
	case !c.allowedCodec(info.Codec):
		return unsupported("the %s's video codec %q is not accepted: use %s", c.name, clip(info.Codec), strings.Join(c.codecs, ", "))
	}
	for _, t := range info.Others {
		if t != "audio" && t != "data" {
			return unsupported("the %s has a %s stream: send the video alone, with audio at most", c.name, clip(t))
		}
	}
	switch {
	case info.Width <= 0 || info.Height <= 0:
		return aisle.Errorf(aisle.EUNPROCESSABLE, "the %s's frame size is unknown", c.name)
	case info.Width > e.cfg.MaxSide || info.Height > e.cfg.MaxSide:
		return aisle.Errorf(aisle.EUNPROCESSABLE, "the %s's frames are %d×%d, over the limit of %d a side", c.name, info.Width, info.Height, e.cfg.MaxSide)
	case info.Duration <= 0:
		return aisle.Errorf(aisle.EUNPROCESSABLE, "the %s's duration is unknown", c.name)
	case info.Duration > e.cfg.MaxDuration:
		return aisle.Errorf(aisle.EUNPROCESSABLE, "the %s is %s long, over the limit of %s", c.name, info.Duration.Round(time.Millisecond), e.cfg.MaxDuration)
	}
	return nil
}

// extract runs ffmpeg on the video at in, writing evenly spaced frames
// into out, and returns them. Frame k is taken near (k+½)·d/n, so that
// neither a fade-in nor a fade-out is all that is seen.
func (e *Extractor) extract(ctx context.Context, c container, info Info, in, out string) ([]Frame, error) {
	n := e.cfg.MaxFrames
	d := info.Duration.Seconds()
	step := d / float64(n)
	side := strconv.Itoa(e.cfg.FrameSide)
	vf := "fps=fps=" + strconv.FormatFloat(1/step, 'f', 6, 64) +
		",scale=w='min(iw," + side + ")':h='min(ih," + side + ")':force_original_aspect_ratio=decrease"
	_, err := e.run(ctx, e.cfg.FFmpeg, in,
		"-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "2",
		"-protocol_whitelist", "file", "-f", c.demuxer,
		"-max_pixels", strconv.Itoa(e.cfg.MaxSide*e.cfg.MaxSide),
		"-ss", strconv.FormatFloat(step/2, 'f', 6, 64),
		"-t", strconv.FormatFloat(e.cfg.MaxDuration.Seconds(), 'f', 3, 64),
		"-i", "file:"+in,
		"-map", "0:v:0", "-an", "-sn", "-dn", "-vf", vf, "-frames:v", strconv.Itoa(n),
		"-f", "image2", "-c:v", "png", filepath.Join(out, "f%02d.png"))
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return nil, fmt.Errorf("video: frames folder: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, en := range entries {
		names = append(names, en.Name())
	}
	slices.Sort(names)
	if len(names) > n {
		names = names[:n]
	}
	frames := make([]Frame, 0, len(names))
	for k, name := range names {
		data, err := readBounded(filepath.Join(out, name), maxFrameBytes)
		if err != nil {
			return nil, err
		}
		at := time.Duration((step/2 + float64(k)*step) * float64(time.Second))
		frames = append(frames, Frame{At: at, PNG: data})
	}
	if len(frames) == 0 {
		return nil, aisle.Errorf(aisle.EUNPROCESSABLE, "the %s could not be decoded: it yielded no frame", c.name)
	}
	return frames, nil
}

// readBounded reads the file at path, of at most limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("video: frame: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("video: frame: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, aisle.Errorf(aisle.EUNPROCESSABLE, "a frame of the video is larger than %d bytes", limit)
	}
	return data, nil
}

// run runs prog with args, returning its standard output (at most
// maxReportBytes). A failure is EUNPROCESSABLE with the start of what
// prog wrote to standard error, the temporary path replaced by "video".
func (e *Extractor) run(ctx context.Context, prog, path string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
	cmd.WaitDelay = time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &limitedBuffer{buf: &stdout, n: maxReportBytes}
	cmd.Stderr = &limitedBuffer{buf: &stderr, n: 4096}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return nil, fmt.Errorf("video: run %s: %w", filepath.Base(prog), err)
		}
		msg := strings.ReplaceAll(stderr.String(), "file:"+path, "video")
		msg = strings.ReplaceAll(msg, path, "video")
		msg, _, _ = strings.Cut(strings.TrimSpace(msg), "\n")
		msg = logPrefix.ReplaceAllString(msg, "")
		if msg == "" {
			msg = exit.String()
		}
		return nil, errors.Join(aisle.Errorf(aisle.EUNPROCESSABLE, "the video could not be decoded: %s", clip(msg)), err)
	}
	return stdout.Bytes(), nil
}

// timedOut turns the expiry of Config.Timeout (not the caller's
// cancellation) into EUNPROCESSABLE.
func (e *Extractor) timedOut(ctx context.Context, err error) error {
	if errors.Is(context.Cause(ctx), errTimeout) {
		return errors.Join(aisle.Errorf(aisle.EUNPROCESSABLE, "the video took longer than %s to decode", e.cfg.Timeout), err)
	}
	return err
}

// logPrefix is the "[mov,mp4,... @ 0x55d0c0a0] " that starts ffmpeg's
// messages: the address is the process's, not the client's business.
var logPrefix = regexp.MustCompile(`^\[[^\]]* @ 0x[0-9a-f]+\] *`)

// errTimeout is the cause of Config.Timeout's expiry.
var errTimeout = errors.New("video: timeout")

// readRecorder reads from r and keeps its first error other than io.EOF,
// telling the upload's failures from the temporary file's.
type readRecorder struct {
	r   io.Reader
	err error
}

func (rr *readRecorder) Read(p []byte) (int, error) {
	n, err := rr.r.Read(p)
	if err != nil && err != io.EOF && rr.err == nil {
		rr.err = err
	}
	return n, err
}

// limitedBuffer keeps the first n bytes written to it and drops the rest.
type limitedBuffer struct {
	buf *bytes.Buffer
	n   int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.n - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
