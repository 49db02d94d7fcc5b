// Package video extracts keyframes from uploaded product videos with
// ffmpeg, treating every video as hostile: the upload is bounded in size
// and written to a temporary file of its own; its container is sniffed
// (MP4 or WebM only, so that no playlist or concat demuxer ever runs);
// ffprobe's JSON report is parsed and checked (one video stream, an
// allowed codec, a bounded duration and frame size) before ffmpeg decodes
// anything; ffmpeg runs with a timeout, reads the file protocol only and
// writes at most Config.MaxFrames evenly spaced frames as PNG into a
// temporary folder that is always removed. Its errors are *aisle.Error
// naming what is wrong with the video.
package video
