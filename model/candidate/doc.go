// Package recall holds Aisle's candidate generators: models trained on the
// store's own interaction sequences (package dataset) that score every item
// for a shopper's history. Each model's Score(history, scores) writes one
// score per item index, higher is better, and is safe for concurrent use;
// the fusion step (package rank) combines them.
//
// Dense closed-form models (EASE, SLIST) hold an n×n float32 matrix and are
// trained only up to a catalog size (MaxItems); larger catalogs use the
// sparse models (transitions, co-occurrence, matrix factorisation).
package candidate
