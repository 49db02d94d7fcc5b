package importer

import (
	"fmt"
	"path/filepath"
	"strings"
)

// DetectFormat guesses the format of the file or folder at path from file
// names: *.inter.json or *.item.json is lcrec, labels.csv is images,
// qa_*.json[.gz] is amazonqa, a *.txt file is s3rec, and so is a folder
// with no aisle-format files but a *_itemid2asin.tsv or exactly one .txt
// file; anything else is aisle. It returns an error only if path cannot be
// read.
func DetectFormat(path string) (string, error) {
	dir, err := isDir(path)
	if err != nil {
		return "", fmt.Errorf("detect format: %w", err)
	}
	if !dir {
		return formatOfName(filepath.Base(path)), nil
	}
	names, err := listDir(path)
	if err != nil {
		return "", fmt.Errorf("detect format: %w", err)
	}
	var txt, asin, aisleFiles int
	for _, n := range names {
		switch f := formatOfName(n); {
		case f == FormatLCRec, f == FormatImages, f == FormatAmazonQA:
			return f, nil
		case strings.HasSuffix(n, ".txt"):
			txt++
		case strings.HasSuffix(n, s3recAsinSuffix):
			asin++
		default:
			if k, enc := aisleKindOfName(n); k != "" && enc != "" {
				aisleFiles++
			}
		}
	}
	if aisleFiles == 0 && (asin > 0 || txt == 1) {
		return FormatS3Rec, nil
	}
	return FormatAisle, nil
}

// formatOfName guesses a format from one file name.
func formatOfName(name string) string {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, lcrecItemSuffix), strings.HasSuffix(lower, lcrecInterSuffix):
		return FormatLCRec
	case lower == imagesLabels:
		return FormatImages
	case strings.HasPrefix(lower, "qa_") && (strings.HasSuffix(lower, ".json") || strings.HasSuffix(lower, ".json.gz")):
		return FormatAmazonQA
	case strings.HasSuffix(lower, ".txt"):
		return FormatS3Rec
	}
	return FormatAisle
}
